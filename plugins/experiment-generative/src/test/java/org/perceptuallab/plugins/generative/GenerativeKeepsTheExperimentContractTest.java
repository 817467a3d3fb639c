package org.perceptuallab.plugins.generative;

import org.perceptuallab.testkit.ExperimentContractTest;

/** The experiment contract of glo and autoencoder, as plab check runs it: the parameter spec and one tiny run. */
class GenerativeKeepsTheExperimentContractTest extends ExperimentContractTest {
}
