package org.perceptuallab.plugins.deep;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.perceptuallab.kit.ObjectiveScope;
import org.perceptuallab.kit.tensor.Ops;
import org.perceptuallab.testkit.CatalogTest;

/**
 * Style transfer's objective, a Gram style loss plus an l2 content loss on one random VGG: inside one
 * {@link ObjectiveScope} the content term reuses the style term's trunk pass, with the same value and
 * gradient as two passes; losses with other weights, or outside a scope, make their own.
 */
class SharedTrunkPassTest extends CatalogTest {
    private static final String STYLE = "{\"seed\": %d, \"metric\": \"gram\", \"layers\": {\"relu1_2\": 1,"
            + " \"relu2_2\": 1, \"relu3_3\": 1, \"relu4_3\": 1}}";
    private static final String CONTENT = "{\"seed\": %d, \"metric\": \"l2\", \"layers\": {\"conv3_3\": 1}}";

    /** The objective's value and gradient, and the trunk passes each loss made for it. */
    private record Evaluation(double value, float[] gradient, long styleImages, long contentImages) {
    }

    @Test
    void theContentTermReusesTheStyleTermsTrunkPassWithTheSameValueAndGradient() {
        try (NDManager constants = manager.newSubManager();
             DeepFeatureLoss style = own(constants, STYLE, 1); DeepFeatureLoss content = own(constants, CONTENT, 1)) {
            evaluate(style, content, false); // computes and caches the targets' features
            Evaluation apart = evaluate(style, content, false);
            Evaluation shared = evaluate(style, content, true);
            assertThat(apart.contentImages()).as("outside a scope: its own pass").isEqualTo(1);
            assertThat(shared.styleImages()).isEqualTo(1);
            assertThat(shared.contentImages()).as("in one objective: the style loss's pass").isZero();
            assertThat(shared.value()).isEqualTo(apart.value());
            assertThat(maxRelativeDifference(shared.gradient(), apart.gradient())).isLessThan(1e-5);
        }
    }

    @Test
    void lossesWhoseWeightsDifferMakeTheirOwnPass() {
        try (NDManager constants = manager.newSubManager();
             DeepFeatureLoss style = own(constants, STYLE, 1); DeepFeatureLoss content = own(constants, CONTENT, 2)) {
            evaluate(style, content, false);
            Evaluation apart = evaluate(style, content, false);
            Evaluation shared = evaluate(style, content, true);
            assertThat(shared.contentImages()).as("seed 2's weights: no sharing").isEqualTo(1);
            assertThat(shared.value()).isEqualTo(apart.value());
            assertThat(shared.gradient()).containsExactly(apart.gradient());
        }
    }

    @Test
    void closingTheScopeReleasesTheKeptPass() {
        try (NDManager constants = manager.newSubManager();
             DeepFeatureLoss style = own(constants, STYLE, 1); DeepFeatureLoss content = own(constants, CONTENT, 1)) {
            int[] apart = arraysLeft(style, content, false);
            int[] shared = arraysLeft(style, content, true);
            assertThat(shared[0]).as("arrays while the scope is open: the kept pass too").isGreaterThan(apart[0]);
            assertThat(shared[1]).as("arrays left once it closed").isEqualTo(apart[1]);
            assertThat(ObjectiveScope.current()).isEmpty();
        }
    }

    /**
     * The arrays in a step's manager after the objective's two calls, each releasing its temporaries as the
     * catalogue's wrapper does: while a scope around them is still open, and after it closed.
     */
    private static int[] arraysLeft(DeepFeatureLoss style, DeepFeatureLoss content, boolean inScope) {
        try (NDManager step = manager.newSubManager()) {
            NDArray x = DeepLossChecksTest.images(31, 1, 32, DataType.FLOAT32);
            NDArray s = DeepLossChecksTest.images(32, 1, 32, DataType.FLOAT32);
            x.attach(step);
            s.attach(step);
            ObjectiveScope scope = inScope ? ObjectiveScope.open(step) : null;
            Ops.scoped(x, s, style::distance).add(Ops.scoped(x, s, content::distance));
            int open = step.getManagedArrays().size();
            if (scope != null) {
                scope.close();
            }
            return new int[] {open, step.getManagedArrays().size()};
        }
    }

    private static Evaluation evaluate(DeepFeatureLoss style, DeepFeatureLoss content, boolean inScope) {
        try (NDManager step = manager.newSubManager()) {
            NDArray x = DeepLossChecksTest.images(41, 1, 32, DataType.FLOAT32);
            NDArray s = DeepLossChecksTest.images(42, 1, 32, DataType.FLOAT32);
            NDArray c = DeepLossChecksTest.images(43, 1, 32, DataType.FLOAT32);
            x.attach(step);
            s.attach(step);
            c.attach(step);
            x.setRequiresGradient(true);
            long styleBefore = style.trunkImages();
            long contentBefore = content.trunkImages();
            Supplier<NDArray> objective = () -> style.distance(x, s).mul(30).add(content.distance(x, c)).sum();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray total = inScope ? ObjectiveScope.evaluate(step, objective) : objective.get();
                gc.backward(total);
                return new Evaluation(total.getFloat(), x.getGradient().toFloatArray(),
                        style.trunkImages() - styleBefore, content.trunkImages() - contentBefore);
            }
        }
    }

    private static double maxRelativeDifference(float[] a, float[] b) {
        double largest = 0;
        double scale = 0;
        for (int i = 0; i < a.length; i++) {
            largest = Math.max(largest, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return largest / scale;
    }

    /** The vgg family's own loss (not the catalogue's wrapper), so that the test reads its trunk counter. */
    private static DeepFeatureLoss own(NDManager constants, String params, int seed) {
        try {
            ObjectNode json = (ObjectNode) new ObjectMapper().readTree(String.format(params, seed));
            TrunkLosses.Vgg vgg = new TrunkLosses.Vgg();
            return (DeepFeatureLoss) vgg.create(vgg.params().resolve("test", json), lab.lossContext(constants, 3));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(params, e);
        }
    }
}
