package org.perceptuallab.api;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import java.util.Optional;

/**
 * A configured perceptual loss: per-pair distances between two image batches.
 *
 * <p>Contract of {@link #distance}: {@code x} and {@code y} are float32 (or float64 for gradient checks)
 * batches (N, C, H, W) of one N and C, values in [-1, 1], and of one height and width unless
 * {@link #acceptsDifferentSizes()}. The result has shape (N): element i depends on the pair (x[i], y[i])
 * alone, whatever else is in the batch. It is differentiable with respect to {@code x} and attached to
 * {@code x}'s manager. The host's catalogue checks shapes, NaN and range before calling and releases the
 * call's temporaries after it, so implementations check only their own constraints (a window larger than
 * the image, say, naming the loss and parameter) and need no scope of their own.
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
