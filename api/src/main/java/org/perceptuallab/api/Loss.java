package org.perceptuallab.api;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A configured perceptual loss: per-pair distances between two image batches.
 *
 * <p>Contract of {@link #distance}: {@code x} and {@code y} are float32 (or float64 for gradient checks)
 * batches (N, C, H, W) of one N and C, values in [-1, 1], and of one height and width unless
 * {@link #acceptsDifferentSizes()}. The result has shape (N): element i depends on the pair (x[i], y[i])
 * alone, whatever else is in the batch. It is differentiable with respect to {@code x} and attached to
 * {@code x}'s manager, with the call's temporaries (the one memory rule of this package: a caller that loops
 * gives each step inputs of a sub-manager it closes, so they go with the step). The host's catalogue checks
 * shapes, NaN and range before calling, so implementations check only their own constraints (a window larger
 * than the image, say, naming the loss and parameter).
 *
 * <p>A loss holds constants (weights, filters) in the manager of its {@link LossContext}; {@link #close()}
 * releases them. For N x M distance matrices see {@link DistanceMatrix}.
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
     * {@link #distance} is, and attached to {@code x}'s manager.
     *
     * <p>The default is {@code distance} itself for one candidate; for more, it takes the exact feature map
     * where there is one (the features of x once, of each candidate once), else one distance call on x
     * repeated against the candidates concatenated. A loss whose distance starts from per-image work without
     * being an exact feature map overrides it.
     */
    default List<NDArray> distancesFrom(NDArray x, List<NDArray> ys) {
        List<NDArray> out = new ArrayList<>(ys.size());
        if (ys.size() < 2) {
            ys.forEach(y -> out.add(distance(x, y)));
            return out;
        }
        Optional<FeatureMap> map = featureMap();
        if (map.isPresent()) {
            NDArray fx = map.get().features(x);
            for (NDArray y : ys) {
                out.add(fx.sub(map.get().features(y)).square().sum(new int[] {1}));
            }
            return out;
        }
        NDArray d = distance(NDArrays.concat(new NDList(Collections.nCopies(ys.size(), x)), 0),
                NDArrays.concat(new NDList(ys), 0));
        long n = x.getShape().get(0);
        for (int k = 0; k < ys.size(); k++) {
            out.add(d.get((k * n) + ":" + ((k + 1) * n)));
        }
        return out;
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
