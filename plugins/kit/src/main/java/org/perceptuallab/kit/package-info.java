/**
 * The plugin kit: what loss and experiment plugins reuse and the host ships with (so plugins declare it
 * {@code provided}). It is on every plugin's class path beside the api and versioned with it
 * ({@code org.perceptuallab.api.ApiVersion}): a kit change that breaks a plugin is an api major release.
 * Subpackages: {@code tensor} (operations the engine lacks, seeded draws, pyramids), {@code io} (arrays,
 * images, labelled sets, the decoded-image cache, figures), {@code weights} (reading torch.save,
 * safetensors and npz weight files, finding published ones), {@code optim} (Adam on the pixels of an image, for
 * experiments that optimise images), {@code metrics} (FID and KID between feature sets) and {@code nets} (the
 * FID Inception-v3); in this package, {@code SimpleLoss}, {@code OneDraw} and example configurations. The
 * loss catalogue with its input checks, the golden-case harness and the conformance checks are the host's
 * ({@code plab-runtime}).
 */
package org.perceptuallab.kit;
