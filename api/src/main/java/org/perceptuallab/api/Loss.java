package org.perceptuallab.api;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A configured perceptual loss: per-pair distances between two image batches.
 *
 * <p>Contract of {@link #distance}: {@code x} and {@code y} are float32 (or float64 for gradient checks)
 * batches (N, C, H, W) of one N and C, values in [-1, 1], and of one height and width unless
 * {@link #acceptsDifferentSizes()}. The result has shape (N): element i depends on the pair (x[i], y[i])
 * alone, whatever else is in the batch. It is differentiable with respect to {@code x}. The host's catalogue
 * checks shapes, NaN and range before calling, so implementations check only their own constraints (a window
 * larger than the image, say, naming the loss and parameter).
 *
 * <p>Memory, the api's one rule ({@linkplain org.perceptuallab.api package}): a call's result and its
 * temporaries belong to the managers of its inputs, and the loss adds nothing to its own manager per call.
 * The caller releases them, by calling inside a sub-manager its inputs are attached to for the call (the
 * kit's {@code Ops.scoped} does that; the host's catalogue does it for every call), or by closing the
 * inputs' manager. So a loss needs no scope of its own, made by the catalogue or by its family directly.
 *
 * <p>A loss holds constants (weights, filters) in the manager of its {@link LossContext}; {@link #close()}
 * releases them.
 */
public interface Loss extends AutoCloseable {

    /** The canonical spec that built this loss: family id and every parameter, defaults included. */
    LossSpec spec();

    /** Distances between x[i] and y[i], shape (N). */
    NDArray distance(NDArray x, NDArray y);

    /**
     * Distances from one batch to several (since 1.2): element k is {@code distance(x, ys.get(k))}, shape (N),
     * for candidate batches shaped as {@code x} (2AFC's references against p0 and against p1). What the loss
     * computes from x alone (a network's activations, random features of its patches) may be computed once
     * for all candidates. A loss that draws its constants at every call draws them once for the whole call, as
     * one distance call on the concatenated pairs would. Differentiable with respect to {@code x} as
     * {@link #distance} is.
     *
     * <p>The default calls {@code distance} once per candidate. The host's catalogue computes a loss that keeps
     * the default faster, from the exact feature map where there is one, else in one call on the pairs
     * concatenated; a loss whose distance starts from per-image work without being an exact feature map
     * overrides it.
     */
    default List<NDArray> distancesFrom(NDArray x, List<NDArray> ys) {
        return ys.stream().map(y -> distance(x, y)).toList();
    }

    /**
     * This loss with one draw of its random constants for all its calls (since 1.3). A loss that draws
     * constants at every call (mmd-approx's {@code redraw}, vgg's {@code reinit}) is another function at each
     * call; everything inside one {@link #distance} or {@link #distancesFrom} call shares that call's draw.
     * Everything compared together (a distance matrix, a 2AFC set, a clustering) must be compared under one
     * function, so such comparisons first take {@code oneDraw()}: a loss whose every call uses one draw, the
     * next of the loss's own seeded stream. It is then a fixed function: symmetric where the loss's form is,
     * with an exact feature map where the form has one, and the matrix of its distances equals its paired
     * distances. A loss that draws nothing per call returns itself (the default). The view may share the
     * loss's constants: use it while the loss is open, and close it when done (it releases only its own).
     */
    default Loss oneDraw() {
        return this;
    }

    /**
     * The loss's exact feature map, where there is one: {@code ||f(x) - f(y)||^2 == distance(x, y)} for
     * every pair, to rounding. A loss whose distance is not that (an l1 metric, features redrawn per call)
     * returns empty. Distance matrices and feature caching rely on it, and the contract tests check it.
     */
    default Optional<FeatureMap> featureMap() {
        return Optional.empty();
    }

    /** Whether {@code distance(x, y) == distance(y, x)} for every pair, to rounding; matrices of one set then cost half. */
    default boolean symmetric() {
        return false;
    }

    /**
     * Whether x and y may differ in height and width (losses that compare statistics of features, such as
     * Gram matrices or patch distributions); the host's checks then demand only one N and C.
     */
    default boolean acceptsDifferentSizes() {
        return false;
    }

    /**
     * The network activations (N, C, H, W) the loss compares, by layer name in the loss's order, where it
     * compares a network's layers (as {@code vgg} does); empty for other losses. They and the temporaries
     * that made them are attached to {@code x}'s manager: call it in a sub-manager.
     */
    default Map<String, NDArray> activations(NDArray x) {
        return Map.of();
    }

    /** Releases the loss's constants. */
    @Override
    default void close() {
    }
}
