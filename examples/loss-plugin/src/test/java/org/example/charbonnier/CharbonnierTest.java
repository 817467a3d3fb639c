package org.example.charbonnier;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.perceptuallab.api.Loss;
import org.perceptuallab.testkit.TestLab;

/** A value computed by hand; the contract every loss keeps is {@link CharbonnierKeepsTheLossContractTest}. */
class CharbonnierTest {

    @Test
    void matchesAValueComputedByHand() {
        TestLab lab = TestLab.onClasspath();
        try (NDManager m = NDManager.newBaseManager();
             Loss loss = lab.loss("{\"loss\": \"charbonnier\", \"params\": {\"eps\": 0.1}}", m, 0)) {
            NDArray x = m.create(new float[] {0.5f, -0.5f, 0f, 0f}, new Shape(1, 1, 2, 2));
            NDArray y = m.zeros(new Shape(1, 1, 2, 2));
            // two elements of sqrt(0.25 + 0.01) - 0.1, two of 0
            double expected = 2 * (Math.sqrt(0.26) - 0.1) / 4;
            assertThat(loss.distance(x, y).getFloat(0)).isCloseTo((float) expected, org.assertj.core.data.Offset.offset(1e-6f));
        }
    }
}
