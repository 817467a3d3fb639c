/**
 * Readers of network weight files (torch.save zip and legacy, safetensors, npz) behind one entry point,
 * {@link org.perceptuallab.kit.weights.WeightFiles}, so every plugin loads published weights the same way.
 */
package org.perceptuallab.kit.weights;
