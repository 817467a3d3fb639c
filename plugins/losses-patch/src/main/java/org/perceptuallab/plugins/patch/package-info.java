/**
 * Patch-distribution losses: images compared as distributions of their p x p patches ({@code patch-rbf},
 * {@code patch-mmd}, {@code mmd-exact}, {@code mmd-approx}, {@code patch-swd}) and the reference's
 * mixtures of them with l2 ({@code mmd++}, {@code mmd+++}, {@code swd++}). Formulas: {@code docs/LOSSES.md},
 * "Patch-distribution losses"; conventions checked by the shared golden cases.
 */
package org.perceptuallab.plugins.patch;
