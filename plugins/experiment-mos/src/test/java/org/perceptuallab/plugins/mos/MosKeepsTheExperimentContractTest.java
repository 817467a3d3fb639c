package org.perceptuallab.plugins.mos;

import org.perceptuallab.testkit.ExperimentContractTest;

/** The experiment contract, as plab check runs it: the parameter spec and one tiny run. */
class MosKeepsTheExperimentContractTest extends ExperimentContractTest {
}
