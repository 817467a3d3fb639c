/**
 * The 2AFC experiment (EXPERIMENTS.md, 2afc): how often a loss agrees with people about which of two
 * distorted images is closer to a reference, on data in the BAPPS layout.
 */
package org.perceptuallab.plugins.twoafc;
