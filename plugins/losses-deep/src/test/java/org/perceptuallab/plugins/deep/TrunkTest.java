package org.perceptuallab.plugins.deep;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.perceptuallab.kit.tensor.Draws;

/** The trunk's layout and first-layer normalisation. */
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
                Trunk trunk = Trunk.random(Architecture.VGG16, new Draws(4), 0, m, norm);
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
}
