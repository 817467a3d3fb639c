package org.perceptuallab.testkit;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.runtime.conformance.ExperimentConformance;

/**
 * The experiment contract, checked for every experiment on the test class path exactly as {@code plab
 * check} checks it ({@link ExperimentConformance}): its parameter spec, and one run on the tiny input it
 * makes ({@link Experiment#tinyRun}) returning a well-formed result. A plugin's test extends this class
 * with no body.
 */
public abstract class ExperimentContractTest extends CatalogTest {
    @TempDir
    static Path work;

    @TestFactory
    Stream<DynamicNode> everyExperimentKeepsTheExperimentContract() {
        return lab.experimentContract(manager, work);
    }
}
