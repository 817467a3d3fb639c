/**
 * Distances between sets of images through their features: the Fréchet distance of fitted Gaussians (FID with
 * Inception's features, {@link org.perceptuallab.kit.metrics.FrechetDistance}) and the kernel inception distance
 * ({@link org.perceptuallab.kit.metrics.KernelInceptionDistance}), both in float64 as their references compute them.
 */
package org.perceptuallab.kit.metrics;
