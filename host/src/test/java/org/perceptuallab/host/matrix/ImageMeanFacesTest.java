package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.host.Lab;
import org.perceptuallab.testkit.Fixtures;

/**
 * The image mean on one person's ten real faces (Olivetti s01, 64x64 grey). Under l2 it must converge
 * to the pixel mean; under mmd++ (losses-patch plugin, required) it must come out sharper than under l2.
 */
class ImageMeanFacesTest {

    @Test
    void underL2FromGrayItConvergesToThePixelMeanAndUnderMmdPlusPlusItIsSharper(@TempDir Path tmp) throws Exception {
        Path faces = Fixtures.external("data/faces-olivetti/s01");
        assertThat(faces).isDirectory();
        // Same start (a flat grey image) for both; mmd++ gets fewer, larger steps: it only has to leave the
        // blur behind, while l2 must reach the pixel mean within 1e-2.
        String matrix = """
                name: faces-%s
                seed: 0
                losses: [%s]
                experiments:
                  - experiment: image-mean
                    params: {data: %s, gray: true, size: 64, startMode: gray, steps: %d, lr: %s, lrEvery: 100, lrDecay: 0.7}
                """;
        Path l2Out = tmp.resolve("l2");
        Path mmdOut = tmp.resolve("mmd");
        try (Lab lab = MatrixFixtures.lab(0)) {
            assertThat(lab.losses().families().find("mmd++"))
                    .as("mmd++ comes from the losses-patch plugin, which must be installed in %s",
                            MatrixFixtures.pluginsDir()).isPresent();
            MatrixRunner runner = new MatrixRunner(lab, new PrintWriter(new StringWriter()));
            runner.run(MatrixSpec.read(MatrixFixtures.write(tmp, "l2.yaml", matrix.formatted("l2", "l2", faces, 300,
                    "0.01"))), l2Out);
            runner.run(MatrixSpec.read(MatrixFixtures.write(tmp, "mmd.yaml", matrix.formatted("mmd", "mmd++", faces, 60,
                    "0.02"))), mmdOut);
        }
        JsonNode l2 = MatrixFixtures.results(l2Out).get("cells").get(0);
        JsonNode mmd = MatrixFixtures.results(mmdOut).get("cells").get(0);
        assertThat(l2.path("status").asText()).as(l2.path("error").asText()).isEqualTo("done");
        assertThat(mmd.path("status").asText()).as(mmd.path("error").asText()).isEqualTo("done");
        assertThat(l2.at("/details/targets").asInt()).isEqualTo(10);
        assertThat(l2.at("/metrics/maxAbsToPixelMean").asDouble()).isLessThan(1e-2);
        assertThat(mmd.at("/metrics/sharpness").asDouble())
                .isGreaterThan(l2.at("/metrics/sharpness").asDouble());
    }
}
