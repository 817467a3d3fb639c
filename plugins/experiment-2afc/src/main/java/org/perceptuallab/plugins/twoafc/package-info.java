/**
 * The 2AFC experiment (EXPERIMENTS.md, 2afc): how often a loss agrees with people about which of two
 * distorted images is closer to a reference, on data in the BAPPS layout; and its JND split (jnd): how well a
 * loss's distances rank the pairs people judged the same.
 */
package org.perceptuallab.plugins.twoafc;
