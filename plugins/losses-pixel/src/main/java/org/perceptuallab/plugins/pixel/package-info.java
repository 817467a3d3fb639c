/**
 * Pixel-space losses and the composites that wrap any installed loss by id ({@code pyramid},
 * {@code window}, {@code sum}). Formulas: {@code docs/LOSSES.md}, "Pixel losses".
 */
package org.perceptuallab.plugins.pixel;
