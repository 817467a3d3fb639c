package org.perceptuallab.plugins.pixel;

import org.perceptuallab.testkit.LossContractTest;

/** Every loss family of this plugin, in each of its example configurations, through the loss contract. */
class PixelLossesKeepTheContractTest extends LossContractTest {
}
