package org.example.retrieval;

import org.perceptuallab.testkit.ExperimentContractTest;

/**
 * The experiment contract, as plab check runs it (the parameter spec, and one run on the tiny input that
 * {@link NearestNeighbourRetrieval#tinyRun} makes): one line is all a plugin's own test needs.
 */
class RetrievalKeepsTheExperimentContractTest extends ExperimentContractTest {
}
