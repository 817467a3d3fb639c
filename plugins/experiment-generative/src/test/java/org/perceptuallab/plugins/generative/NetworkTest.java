package org.perceptuallab.plugins.generative;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.perceptuallab.kit.tensor.Draws;
import org.perceptuallab.testkit.CatalogTest;

/** The DCGAN networks: the reference layer widths, shapes at every size and channel count, the initialisation. */
class NetworkTest extends CatalogTest {

    @Test
    void widthsAreTheReferenceOnesAtEachSize() {
        assertThat(Network.widths(64, 64)).containsExactly(512, 256, 128, 64);
        assertThat(Network.widths(128, 64)).containsExactly(512, 256, 128, 64, 32);
        assertThat(Network.widths(32, 64)).containsExactly(512, 256, 128);
    }

    @ParameterizedTest(name = "{0} pixels, {1} channels")
    @CsvSource({"32, 1", "32, 3", "64, 1", "64, 3", "128, 3"})
    void generatorAndEncoderMapCodesToImagesAndBack(int size, int channels) {
        try (NDManager m = manager.newSubManager(); TransposedConv conv = new TransposedConv(m)) {
            Draws draws = new Draws(1);
            Network g = Network.generator(m, draws, conv, 6, size, channels, 2);
            Network e = Network.encoder(m, draws, 6, size, channels, 2);
            NDArray images = g.forward(draws.normal(m, new Shape(3, 6)), true);
            assertThat(images.getShape()).isEqualTo(new Shape(3, channels, size, size));
            assertThat(images.abs().max().getFloat()).isLessThanOrEqualTo(1f);
            assertThat(e.forward(images, true).getShape()).isEqualTo(new Shape(3, 6));
            assertThat(e.forward(images, false).getShape()).isEqualTo(new Shape(3, 6));
        }
    }

    @Test
    void initialisationIsTheReferenceDrawnInLayerOrder() {
        try (NDManager m = manager.newSubManager(); TransposedConv conv = new TransposedConv(m)) {
            Network g = Network.generator(m, new Draws(4), conv, 5, 32, 1, 1);
            assertThat(g.parameters().keySet()).containsExactly("g0.weight", "g0.bn.gamma", "g0.bn.beta", "g1.weight",
                    "g1.bn.gamma", "g1.bn.beta", "g2.weight", "g2.bn.gamma", "g2.bn.beta", "g3.weight");
            assertThat(g.buffers().keySet()).containsExactly("g0.bn.mean", "g0.bn.var", "g1.bn.mean", "g1.bn.var",
                    "g2.bn.mean", "g2.bn.var");
            // the same stream, drawn by hand: weights 0.02 N(0, 1), scales 1 + 0.02 N(0, 1), shifts 0
            Draws draws = new Draws(4);
            NDArray w0 = draws.normal(m, new Shape(5, 8, 4, 4)).muli(0.02);
            NDArray gamma0 = draws.normal(m, new Shape(8)).muli(0.02).addi(1);
            assertThat(g.parameters().get("g0.weight").toFloatArray()).containsExactly(w0.toFloatArray());
            assertThat(g.parameters().get("g0.bn.gamma").toFloatArray()).containsExactly(gamma0.toFloatArray());
            assertThat(g.parameters().get("g0.bn.beta").toFloatArray()).containsOnly(0f);
            assertThat(g.buffers().get("g0.bn.var").toFloatArray()).containsOnly(1f);
            assertThat(g.parameters().get("g3.weight").getShape()).isEqualTo(new Shape(2, 1, 4, 4));
            for (String name : List.of("g0.weight", "g3.weight")) {
                assertThat(g.parameters().get(name).hasGradient()).isTrue();
            }
        }
    }
}
