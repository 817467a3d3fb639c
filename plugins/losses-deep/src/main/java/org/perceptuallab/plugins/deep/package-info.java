/**
 * Deep-feature losses: distances between the activations of a convolutional trunk (VGG16, AlexNet in
 * torchvision's layout), with random or published weights, LPIPS and DISTS.
 */
package org.perceptuallab.plugins.deep;
