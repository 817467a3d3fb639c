/**
 * Style transfer by image optimisation (EXPERIMENTS.md, style-transfer): Gatys' objective with the loss under
 * study as the style loss, for every (content, style) pair of a cell.
 */
package org.perceptuallab.plugins.style;
