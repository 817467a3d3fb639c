package org.perceptuallab.testkit;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.perceptuallab.runtime.catalog.LossCatalog;

/**
 * Base of tests that need the engine and the loss families on the test class path: one root manager and
 * one catalogue per test class. Shipped in plab-kit's test jar.
 */
public abstract class CatalogTest {
    /** The test class's root manager, closed after its last test. */
    protected static NDManager manager;
    /** Every loss family on the test class path. */
    protected static LossCatalog catalog;

    @BeforeAll
    static void startEngine() {
        manager = NDManager.newBaseManager();
        catalog = LossCatalog.fromClasspath();
    }

    @AfterAll
    static void stopEngine() {
        manager.close();
    }
}
