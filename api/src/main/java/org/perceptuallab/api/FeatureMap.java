package org.perceptuallab.api;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * Per-image features of a loss: {@code features(x)} maps (N, C, H, W) images to (N, D) vectors whose
 * squared Euclidean distance is, up to a positive factor, the loss's distance (or a weighted form of it).
 * Experiments use it to cluster in feature space and to cache reference features.
 */
@FunctionalInterface
public interface FeatureMap {

    /** Features of each image, shape (N, D), attached to {@code x}'s manager. */
    NDArray features(NDArray x);

    /**
     * The feature maps (N, C, H, W) behind {@link #features}, by layer name in the loss's order, where the
     * loss compares a network's layers (as {@code vgg} does); empty for other losses. They and the
     * temporaries that made them are attached to {@code x}'s manager: call it in a sub-manager.
     */
    default Map<String, NDArray> layers(NDArray x) {
        return Map.of();
    }
}
