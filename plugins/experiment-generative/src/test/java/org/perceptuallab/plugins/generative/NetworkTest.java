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

/**
 * The networks: the reference's and DCGAN's layer widths, shapes at every size and channel count, both
 * initialisations, and the reference's parameter counts.
 */
class NetworkTest extends CatalogTest {

    private static Network.Design design(int latent, int size, int channels, int width, Network.Layout layout,
                                         Init init) {
        return new Network.Design(latent, size, channels, width, layout, init);
    }

    @Test
    void widthsAreTheReferenceOnesAtEachSizeAndDcgansWhenAsked() {
        assertThat(Network.widths(64, 64, Network.Layout.REFERENCE)).containsExactly(512, 256, 128, 64);
        assertThat(Network.widths(128, 64, Network.Layout.REFERENCE)).containsExactly(512, 512, 256, 128, 64);
        assertThat(Network.widths(32, 64, Network.Layout.REFERENCE)).containsExactly(256, 128, 64);
        assertThat(Network.widths(64, 64, Network.Layout.DCGAN)).containsExactly(512, 256, 128, 64);
        assertThat(Network.widths(128, 64, Network.Layout.DCGAN)).containsExactly(512, 256, 128, 64, 32);
        assertThat(Network.widths(32, 64, Network.Layout.DCGAN)).containsExactly(512, 256, 128);
    }

    /**
     * Golden counts from the reference's own model definitions (GenerativeModels/models.py of
     * ariel415el/PerceptualLossExperiments: DCGANGenerator(512, 3, 64), DCGANEncoder(64, 3, 512), at 128 px the
     * same with 128, and LatentMapper(64, 512)), built in torch 2.13 and counted as the reference prints them:
     * sum(p.numel() for p in parameters() if p.requires_grad).
     */
    @ParameterizedTest(name = "{0} pixels")
    @CsvSource({"64, 6951808, 6951808", "128, 11147136, 11147136"})
    void theReferenceNetworksHaveTheReferencesParameterCounts(int size, long generator, long encoder) {
        try (NDManager m = manager.newSubManager(); TransposedConv conv = new TransposedConv(m)) {
            Network.Design d = design(512, size, 3, 64, Network.Layout.REFERENCE, Init.XAVIER);
            assertThat(Network.generator(m, new Draws(1), conv, d).parameterCount()).isEqualTo(generator);
            assertThat(Network.encoder(m, new Draws(1), d).parameterCount()).isEqualTo(encoder);
        }
        if (size == 64) {
            try (NDManager m = manager.newSubManager()) {
                assertThat(Network.mapping(m, new Draws(1), Init.XAVIER, 64, 512).parameterCount()).isEqualTo(90624);
            }
        }
    }

    @ParameterizedTest(name = "{0} pixels, {1} channels, {2}")
    @CsvSource({"32, 1, REFERENCE", "32, 3, DCGAN", "64, 1, DCGAN", "64, 3, REFERENCE", "128, 3, REFERENCE"})
    void generatorAndEncoderMapCodesToImagesAndBack(int size, int channels, Network.Layout layout) {
        try (NDManager m = manager.newSubManager(); TransposedConv conv = new TransposedConv(m)) {
            Draws draws = new Draws(1);
            Network.Design d = design(6, size, channels, 2, layout, Init.XAVIER);
            Network g = Network.generator(m, draws, conv, d);
            Network e = Network.encoder(m, draws, d);
            NDArray images = g.forward(draws.normal(m, new Shape(3, 6)), true);
            assertThat(images.getShape()).isEqualTo(new Shape(3, channels, size, size));
            assertThat(images.abs().max().getFloat()).isLessThanOrEqualTo(1f);
            assertThat(e.forward(images, true).getShape()).isEqualTo(new Shape(3, 6));
            assertThat(e.forward(images, false).getShape()).isEqualTo(new Shape(3, 6));
        }
    }

    @Test
    void theReferenceEncoderHasBatchNormAfterItsFirstConvolutionAndDcgansHasNot() {
        try (NDManager m = manager.newSubManager()) {
            assertThat(Network.encoder(m, new Draws(1), design(5, 32, 1, 2, Network.Layout.REFERENCE, Init.XAVIER))
                    .parameters()).containsKey("e0.bn.gamma");
            assertThat(Network.encoder(m, new Draws(1), design(5, 32, 1, 2, Network.Layout.DCGAN, Init.XAVIER))
                    .parameters()).doesNotContainKey("e0.bn.gamma").containsKey("e1.bn.gamma");
        }
    }

    @Test
    void xavierInitialisationDrawsWeightsOnlyWithGainSqrt2AndLeavesBatchNormAtItsDefaults() {
        try (NDManager m = manager.newSubManager(); TransposedConv conv = new TransposedConv(m)) {
            Network g = Network.generator(m, new Draws(4), conv, design(5, 32, 1, 1, Network.Layout.DCGAN,
                    Init.XAVIER));
            Draws draws = new Draws(4);
            // g0: 5 -> 8 channels, 4x4: fan in + fan out = (5 + 8) 16; then g1 (8 -> 4) is the stream's next draw
            NDArray w0 = draws.normal(m, new Shape(5, 8, 4, 4)).muli(Math.sqrt(2) * Math.sqrt(2.0 / (13 * 16)));
            NDArray w1 = draws.normal(m, new Shape(8, 4, 4, 4)).muli(Math.sqrt(2) * Math.sqrt(2.0 / (12 * 16)));
            assertThat(g.parameters().get("g0.weight").toFloatArray()).containsExactly(w0.toFloatArray());
            assertThat(g.parameters().get("g1.weight").toFloatArray()).containsExactly(w1.toFloatArray());
            assertThat(g.parameters().get("g0.bn.gamma").toFloatArray()).containsOnly(1f);
            assertThat(g.parameters().get("g0.bn.beta").toFloatArray()).containsOnly(0f);
            Network mapping = Network.mapping(m, new Draws(4), Init.XAVIER, 3, 7);
            NDArray linear = new Draws(4).normal(m, new Shape(128, 3)).muli(Math.sqrt(2) * Math.sqrt(2.0 / 131));
            assertThat(mapping.parameters().get("m0.weight").toFloatArray()).containsExactly(linear.toFloatArray());
        }
    }

    @Test
    void dcganInitialisationIsTheEarlierOneDrawnInLayerOrder() {
        try (NDManager m = manager.newSubManager(); TransposedConv conv = new TransposedConv(m)) {
            Network g = Network.generator(m, new Draws(4), conv, design(5, 32, 1, 1, Network.Layout.DCGAN,
                    Init.DCGAN));
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
