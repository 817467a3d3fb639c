package org.example.charbonnier;

import org.perceptuallab.testkit.LossContractTest;

/**
 * The loss contract, run on every loss family of this plugin in each of its example configurations: one
 * line is all a plugin's own test needs.
 */
class CharbonnierKeepsTheLossContractTest extends LossContractTest {
}
