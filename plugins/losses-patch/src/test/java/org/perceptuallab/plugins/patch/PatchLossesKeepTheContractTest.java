package org.perceptuallab.plugins.patch;

import org.perceptuallab.testkit.LossContractTest;

/** Every loss family of this plugin, in each of its example configurations, through the loss contract. */
class PatchLossesKeepTheContractTest extends LossContractTest {
}
