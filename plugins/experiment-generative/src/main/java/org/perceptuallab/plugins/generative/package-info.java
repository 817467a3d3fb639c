/**
 * Generative models trained with each loss (EXPERIMENTS.md, "autoencoder and glo"): DCGAN networks on a
 * TorchScript transposed convolution, GLO and an autoencoder, checkpoints that resume bit for bit, and the
 * evaluation of samples, interpolations and held-out reconstructions.
 */
package org.perceptuallab.plugins.generative;
