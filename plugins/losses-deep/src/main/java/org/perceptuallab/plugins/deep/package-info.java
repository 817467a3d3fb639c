/**
 * Deep-feature losses: distances between the activations of a convolutional trunk (VGG16, AlexNet in
 * torchvision's layout), with random or published weights, and LPIPS.
 */
package org.perceptuallab.plugins.deep;
