package org.example.charbonnier;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.runtime.catalog.LabContext;
import org.perceptuallab.runtime.catalog.LossCatalog;
import org.perceptuallab.testkit.LossChecks;

/** The conformance checks every loss plugin should run, plus a value computed by hand. */
class CharbonnierTest {

    @Test
    void passesTheConformanceChecks() {
        LossCatalog catalog = LossCatalog.fromClasspath();
        try (NDManager m = NDManager.newBaseManager();
             Loss loss = catalog.create(LossSpec.of("charbonnier"), LabContext.of(m, 0, catalog))) {
            NDArray x = m.randomUniform(-1, 1, new Shape(3, 3, 8, 8)).toType(DataType.FLOAT64, false);
            NDArray y = m.randomUniform(-1, 1, new Shape(3, 3, 8, 8)).toType(DataType.FLOAT64, false);
            assertThat(LossChecks.gradientError(loss, x, y, 8, 1e-6, 0)).isLessThan(1e-6);
            assertThat(LossChecks.gradientFiniteAtEquality(loss, x)).isTrue();
            assertThat(LossChecks.batchDependence(loss, x, y)).isLessThan(1e-9);
        }
    }

    @Test
    void matchesAValueComputedByHand() {
        LossCatalog catalog = LossCatalog.fromClasspath();
        var params = JsonNodeFactory.instance.objectNode().put("eps", 0.1);
        try (NDManager m = NDManager.newBaseManager();
             Loss loss = catalog.create(new LossSpec("charbonnier", params), LabContext.of(m, 0, catalog))) {
            NDArray x = m.create(new float[] {0.5f, -0.5f, 0f, 0f}, new Shape(1, 1, 2, 2));
            NDArray y = m.zeros(new Shape(1, 1, 2, 2));
            // two elements of sqrt(0.25 + 0.01) - 0.1, two of 0
            double expected = 2 * (Math.sqrt(0.26) - 0.1) / 4;
            assertThat(loss.distance(x, y).getFloat(0)).isCloseTo((float) expected, org.assertj.core.data.Offset.offset(1e-6f));
        }
    }
}
