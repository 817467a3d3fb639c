package org.perceptuallab.plugins.clustering;

import org.perceptuallab.testkit.ExperimentContractTest;

/** The experiment contract, as plab check runs it: the parameter spec and one tiny run. */
class ClusteringKeepsTheExperimentContractTest extends ExperimentContractTest {
}
