package org.perceptuallab.api;

import ai.djl.ndarray.NDArray;

/**
 * Per-image features of a loss: {@code features(x)} maps (N, C, H, W) images to (N, D) vectors whose
 * squared Euclidean distance is, up to a positive factor, the loss's distance (or a weighted form of it).
 * Experiments use it to cluster in feature space and to cache reference features.
 */
@FunctionalInterface
public interface FeatureMap {

    /** Features of each image, shape (N, D), attached to {@code x}'s manager. */
    NDArray features(NDArray x);
}
