package org.perceptuallab.plugins.generative;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.perceptuallab.kit.optim.Adam;
import org.perceptuallab.testkit.CatalogTest;

/** The kit's Adam at the reference betas, against torch.optim.Adam's formula worked by hand, and its state. */
class AdamTest extends CatalogTest {

    @Test
    void twoStepsFollowTorchsFormulaAndZeroTheGradient() {
        try (NDManager m = manager.newSubManager()) {
            NDArray p = m.create(new double[] {1.0, -2.0});
            p.setRequiresGradient(true);
            Adam adam = new Adam(m, 0.5, 0.999);
            double[] expected = {1.0, -2.0};
            double[] first = new double[2];
            double[] second = new double[2];
            for (int t = 1; t <= 2; t++) {
                try (NDManager scope = m.newSubManager()) {
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(p.square().sum()); // gradient 2 p
                    }
                    for (int i = 0; i < 2; i++) {
                        double g = 2 * expected[i];
                        first[i] = 0.5 * first[i] + 0.5 * g;
                        second[i] = 0.999 * second[i] + 0.001 * g * g;
                        double denominator = Math.sqrt(second[i]) / Math.sqrt(1 - Math.pow(0.999, t)) + 1e-8;
                        expected[i] -= 0.1 / (1 - Math.pow(0.5, t)) * first[i] / denominator;
                    }
                    adam.step(Map.of("p", p), 0.1, scope);
                }
            }
            assertThat(p.toDoubleArray()[0]).isCloseTo(expected[0], within(1e-12));
            assertThat(p.toDoubleArray()[1]).isCloseTo(expected[1], within(1e-12));
            assertThat(p.getGradient().toDoubleArray()).containsOnly(0.0);
            assertThat(adam.steps()).isEqualTo(2);
            assertThat(adam.moments().get("m/p").toDoubleArray()[0]).isCloseTo(first[0], within(1e-12));
            assertThat(adam.moments().get("v/p").toDoubleArray()[1]).isCloseTo(second[1], within(1e-12));

            Adam restored = new Adam(m, 0.5, 0.999);
            restored.restore(adam.steps(), adam.moments());
            assertThat(restored.steps()).isEqualTo(2);
            assertThat(restored.moments().get("v/p").toDoubleArray()).containsExactly(
                    adam.moments().get("v/p").toDoubleArray());
        }
    }
}
