/**
 * Networks that metrics need whole, with their published weights read through the kit's weight readers:
 * {@link org.perceptuallab.kit.nets.InceptionV3}, the Inception-v3 of FID.
 */
package org.perceptuallab.kit.nets;
