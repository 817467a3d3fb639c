/**
 * The generalised image mean (EXPERIMENTS.md, image-mean): the image that minimises the mean distance to
 * a set of similar images under a loss, found by Adam on the pixels, single- or multi-scale.
 */
package org.perceptuallab.plugins.imagemean;
