package org.perceptuallab.api;

import ai.djl.ndarray.NDArray;
import java.util.Optional;

/**
 * A configured perceptual loss: per-pair distances between two image batches.
 *
 * <p>Contract of {@link #distance}: {@code x} and {@code y} have the same shape (N, C, H, W), float32 (or
 * float64 for gradient checks), values in [-1, 1]. The result has shape (N): element i depends on the
 * pair (x[i], y[i]) alone, whatever else is in the batch. It is differentiable with respect to
 * {@code x} and attached to {@code x}'s manager. The host's catalogue checks shapes, NaN and range
 * before calling and releases the call's temporaries after it, so implementations check only their own
 * constraints (a window larger than the image, say, naming the loss and parameter) and need no scope of
 * their own.
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
     * The loss's feature map, when the distance is a function of per-image features (a network's
     * activations, pooled random features). Clustering and 2AFC feature caching use it.
     */
    default Optional<FeatureMap> featureMap() {
        return Optional.empty();
    }

    /** Releases the loss's constants. */
    @Override
    default void close() {
    }
}
