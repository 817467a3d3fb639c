package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.testkit.Fixtures;

/**
 * glo and autoencoder cells through the matrix on the bundled Fashion-MNIST subset with tiny networks: the
 * reconstruction curve streamed per epoch reaches the result, the codes and figures are written, and the
 * report shows the pictures.
 */
class GenerativeCellTest {

    @Test
    void gloAndAutoencoderCellsRunThroughTheMatrixAndTheirPicturesReachTheReport(@TempDir Path tmp) throws Exception {
        Path data = Fixtures.shipped("examples/data/fashion-mnist-100/fashion-images-idx3-ubyte.gz");
        Path file = MatrixFixtures.write(tmp, "generative.yaml", """
                name: generative
                seed: 3
                losses: [l2, l1]
                experiments:
                  - experiment: glo
                    params: {data: %s, size: 32, gray: true, maxImages: 20, heldOut: 0.2, latent: 8, width: 4,
                                   epochs: 3, batch: 8, lr: 0.01, samples: 4, interpolations: 1, heldOutSteps: 3,
                                   swdProjections: 8}
                  - experiment: autoencoder
                    params: {data: %s, size: 32, gray: true, maxImages: 20, heldOut: 0.2, latent: 8, width: 4,
                             epochs: 3, batch: 8, lr: 0.01, samples: 4, interpolations: 1, swdProjections: 8}
                """.formatted(data, data));
        Path out = tmp.resolve("out");
        JsonNode cells = MatrixFixtures.runEveryCell(file, out, 3, 4);
        for (JsonNode c : cells) {
            assertThat(c.at("/metrics/trainImages").asInt()).isEqualTo(16);
            assertThat(c.at("/metrics/heldOutImages").asInt()).isEqualTo(4);
            JsonNode curve = c.at("/curves/reconstruction/values");
            assertThat(curve).hasSize(3);
            assertThat(c.at("/metrics/trainLoss").asDouble()).isEqualTo(curve.get(2).asDouble());
            for (String image : new String[] {"samples", "interpolations", "reconstructions per epoch",
                    "nearest training images", "held-out reconstructions"}) {
                assertThat(out.resolve(c.at("/images/" + image).asText())).isRegularFile();
            }
            assertThat(out.resolve(c.at("/images/samples").asText()).resolveSibling("codes.npy")).isRegularFile();
        }
        String html = Files.readString(out.resolve("report.html"));
        assertThat(html).contains("samples.png").contains("interpolations.png").contains("reconstructions.png")
                .contains("swdPatches");
    }
}
