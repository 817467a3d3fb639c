package org.perceptuallab.plugins.deep;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.perceptuallab.kit.tensor.Draws;

/** The trunk's layout, its forward pass and first-layer normalisation. */
class TrunkTest {

    @Test
    void layerNamesFollowTorchvisionIndices() {
        Architecture vgg = Architecture.VGG16;
        assertThat(vgg.stages()).hasSize(31);
        assertThat(vgg.index("t", "conv1_1")).isZero();
        assertThat(vgg.index("t", "MP1")).isEqualTo(4);
        assertThat(vgg.index("t", "conv3_3")).isEqualTo(14);
        assertThat(vgg.index("t", "relu5_3")).isEqualTo(29);
        assertThat(vgg.index("t", "MP5")).isEqualTo(30);
        assertThat(vgg.index("t", "pixels")).isEqualTo(-1);
        assertThat(Architecture.ALEXNET.index("t", "conv5")).isEqualTo(10);
    }

    /** A constant image meets conv1_1's filters with zero spatial mean: the interior responses vanish. */
    @Test
    void normFirstConvRemovesEachFiltersChannelMeans() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray constant = m.full(new Shape(1, 3, 8, 8), 0.7f);
            for (boolean norm : new boolean[] {false, true}) {
                Trunk trunk = Trunk.random(Architecture.VGG16, new Draws(4), 0, m, norm, Trunk.Init.KAIMING);
                NDArray interior = trunk.features(constant, Set.of(0)).get(0).get(":, :, 1:7, 1:7");
                float largest = interior.abs().max().getFloat();
                if (norm) {
                    assertThat(largest).isLessThan(1e-5f);
                } else {
                    assertThat(largest).isGreaterThan(0.1f);
                }
            }
        }
    }

    /**
     * Asking for relu1_2 and relu2_2 makes the trunk apply each ReLU before its max pool; otherwise it pools
     * first. Both orders must give identical conv3_1 features and input gradients, also for a constant
     * image, whose pooling windows are full of ties.
     */
    @Test
    void poolingBeforeTheReluChangesNeitherValuesNorGradients() {
        try (NDManager m = NDManager.newBaseManager()) {
            Trunk trunk = Trunk.random(Architecture.VGG16, new Draws(5), 10, m, false, Trunk.Init.KAIMING);
            NDArray weights = m.randomNormal(new Shape(2, 256, 4, 4)).toType(DataType.FLOAT64, false);
            NDArray[] images = {
                m.randomUniform(-1, 1, new Shape(2, 3, 16, 16)).toType(DataType.FLOAT64, false),
                m.full(new Shape(2, 3, 16, 16), 0.5f).toType(DataType.FLOAT64, false)};
            for (NDArray image : images) {
                NDArray[] poolFirst = conv31AndGradient(trunk, image, weights, Set.of(10));
                NDArray[] reluFirst = conv31AndGradient(trunk, image, weights, Set.of(3, 8, 10));
                assertThat(poolFirst[0].sub(reluFirst[0]).abs().max().getDouble()).isZero();
                assertThat(poolFirst[1].sub(reluFirst[1]).abs().max().getDouble()).isZero();
                assertThat(poolFirst[1].abs().max().getDouble()).isPositive();
            }
        }
    }

    /**
     * Up to conv5_3 the trunk computes 30 stages; a call keeps the two wanted maps and the input's
     * channels-last copy (four arrays of it), every other stage freed once the next is computed.
     */
    @Test
    void aForwardPassKeepsOnlyTheWantedStages() {
        try (NDManager weights = NDManager.newBaseManager(); NDManager call = weights.newSubManager()) {
            Trunk trunk = Trunk.random(Architecture.VGG16, new Draws(6), 28, weights, false, Trunk.Init.KAIMING);
            NDArray x = call.randomUniform(-1, 1, new Shape(2, 3, 32, 32));
            var out = trunk.features(x, Set.of(3, 28));
            assertThat(out.keySet()).containsExactly(3, 28);
            assertThat(out.get(28).getShape()).isEqualTo(new Shape(2, 512, 2, 2));
            assertThat(call.getManagedArrays()).as("x, its channels-last copy, relu1_2 and conv5_3").hasSizeLessThanOrEqualTo(6);
        }
    }

    private static NDArray[] conv31AndGradient(Trunk trunk, NDArray image, NDArray weights, Set<Integer> wanted) {
        NDArray x = image.duplicate();
        x.setRequiresGradient(true);
        NDArray features;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            features = trunk.features(x, wanted).get(10);
            gc.backward(features.mul(weights).sum());
        }
        return new NDArray[] {features.stopGradient(), x.getGradient().duplicate()};
    }
}
