/**
 * The plugin kit: what loss and experiment plugins reuse and the host ships with (so plugins declare it
 * {@code provided}). Subpackages: {@code tensor} (operations the engine lacks, seeded draws),
 * {@code catalog} (the loss catalogue with input checks), {@code io} (arrays, images, weight files),
 * {@code golden} (the golden-case harness behind {@code plab golden}), {@code optim} (Adam on the pixels
 * of an image, for experiments that optimise images) and {@code check} (conformance
 * checks for loss authors: gradients, batch independence).
 */
package org.perceptuallab.kit;
