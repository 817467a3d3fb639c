package org.perceptuallab.api;

import ai.djl.ndarray.NDArray;

/**
 * The exact feature map of a loss: {@code features(x)} maps (N, C, H, W) images to (N, D) vectors whose
 * squared Euclidean distance <em>is</em> the loss's distance, {@code ||f(x_i) - f(y_i)||^2 ==
 * distance(x, y)[i]} to float rounding. So an N x M distance matrix costs N + M feature evaluations, a
 * reference's features can be computed once, and clustering can run k-means in feature space.
 */
@FunctionalInterface
public interface FeatureMap {

    /** Features of each image, shape (N, D), attached to {@code x}'s manager. */
    NDArray features(NDArray x);
}
