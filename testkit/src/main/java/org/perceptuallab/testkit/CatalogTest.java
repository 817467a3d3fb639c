package org.perceptuallab.testkit;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of tests that need the engine and the loss families on the test class path: one root manager and
 * one {@link TestLab} per test class.
 */
public abstract class CatalogTest {
    /** The test class's root manager, closed after its last test. */
    protected static NDManager manager;
    /** Every loss family on the test class path, built and checked as the host does. */
    protected static TestLab lab;

    @BeforeAll
    static void startEngine() {
        manager = NDManager.newBaseManager();
        lab = TestLab.onClasspath();
    }

    @AfterAll
    static void stopEngine() {
        manager.close();
    }
}
