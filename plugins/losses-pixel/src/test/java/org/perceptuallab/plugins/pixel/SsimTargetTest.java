package org.perceptuallab.plugins.pixel;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.perceptuallab.api.Loss;
import org.perceptuallab.testkit.CatalogTest;

/** ssim and ms-ssim keep their target's moments across calls (kit TargetCache): the values must not notice. */
class SsimTargetTest extends CatalogTest {
    private static final Shape SHAPE = new Shape(2, 3, 48, 48);

    @ParameterizedTest
    @ValueSource(strings = {"{\"loss\": \"ssim\"}", "{\"loss\": \"ms-ssim\", \"params\": {\"weights\": [0.5, 0.5]}}"})
    void aKeptTargetGivesAFreshLossesValuesAndATargetChangedInPlaceIsSeen(String spec) throws Exception {
        NDArray x = manager.randomUniform(-1, 1, SHAPE);
        NDArray nextX = manager.randomUniform(-1, 1, SHAPE);
        NDArray y = manager.randomUniform(-1, 1, SHAPE);
        try (Loss kept = lab.loss(spec, manager, 7)) {
            kept.distance(x, y);
            float[] second = kept.distance(nextX, y).toFloatArray();
            try (Loss fresh = lab.loss(spec, manager, 7)) {
                assertThat(second).as("from the kept moments").containsExactly(fresh.distance(nextX, y).toFloatArray());
            }
            y.set(manager.randomUniform(-1, 1, SHAPE).toFloatArray());
            float[] changed = kept.distance(nextX, y).toFloatArray();
            try (Loss fresh = lab.loss(spec, manager, 7)) {
                assertThat(changed).as("y changed in place").containsExactly(fresh.distance(nextX, y).toFloatArray())
                        .doesNotContain(second[0]);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"loss\": \"ssim\"}", "{\"loss\": \"ms-ssim\", \"params\": {\"weights\": [0.5, 0.5]}}"})
    void aTargetThatNeedsAGradientGetsTheSameGradientAsXWhenTheyAreSwapped(String spec) throws Exception {
        NDArray a = manager.randomUniform(-1, 1, SHAPE);
        NDArray b = manager.randomUniform(-1, 1, SHAPE);
        try (Loss loss = lab.loss(spec, manager, 7)) {
            float[] asTarget = gradient(loss, a, b, 1);
            float[] asTargetAgain = gradient(loss, a, b, 1);
            float[] asInput = gradient(loss, b, a, 0);
            assertThat(asTargetAgain).as("not served from a cache").containsExactly(asTarget);
            double largest = 0;
            double error = 0;
            for (int i = 0; i < asInput.length; i++) {
                largest = Math.max(largest, Math.abs(asInput[i]));
                error = Math.max(error, Math.abs(asInput[i] - asTarget[i]));
            }
            assertThat(largest).isPositive();
            assertThat(error / largest).as("d(a, b) w.r.t. b against d(b, a) w.r.t. b").isLessThan(1e-3);
        }
    }

    /** The gradient of the summed distances w.r.t. operand {@code of} (0: x, 1: y). */
    private static float[] gradient(Loss loss, NDArray x, NDArray y, int of) {
        NDArray[] operands = {x.duplicate(), y.duplicate()};
        operands[of].setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(loss.distance(operands[0], operands[1]).sum());
        }
        return operands[of].getGradient().toFloatArray();
    }
}
