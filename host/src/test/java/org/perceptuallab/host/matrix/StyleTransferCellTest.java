package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.testkit.Fixtures;

/**
 * A style-transfer cell through the matrix on the bundled photos: paths relative to the matrix file, the
 * content loss built from the lab's losses, and the grid and Gram pictures in the report.
 */
class StyleTransferCellTest {

    @Test
    void styleTransferCellsRunThroughTheMatrixAndTheirPicturesReachTheReport(@TempDir Path tmp) throws Exception {
        Path photos = Fixtures.photos();
        Files.copy(photos.resolve("chelsea.png"), Files.createDirectories(tmp.resolve("data")).resolve("chelsea.png"));
        Files.copy(photos.resolve("starry_night.png"), tmp.resolve("data/starry_night.png"));
        Path file = MatrixFixtures.write(tmp, "style.yaml", """
                name: style
                seed: 2
                losses:
                  - {loss: vgg, name: Gram, params: {metric: gram, layers: {relu1_2: 1.0, relu2_2: 1.0}}}
                  - l2
                experiments:
                  - experiment: style-transfer
                    params: {contents: data/chelsea.png, styles: data/starry_night.png, size: 32, steps: 8,
                             content: {loss: l1}}
                """);
        Path out = tmp.resolve("out");
        JsonNode cells = MatrixFixtures.runEveryCell(file, out, 2, 2);
        for (JsonNode c : cells) {
            assertThat(c.at("/metrics/styleRatio").asDouble()).isPositive();
            assertThat(c.at("/metrics/contentEnd").asDouble()).isPositive();
            assertThat(out.resolve(c.at("/images/grid").asText())).isRegularFile();
        }
        JsonNode gram = cells.get(0);
        assertThat(out.resolve(gram.at("/images/gram relu1_2").asText())).isRegularFile();
        assertThat(out.resolve(gram.at("/images/gram relu2_2").asText())).isRegularFile();
        assertThat(cells.get(1).path("images").has("gram relu1_2")).isFalse();
        String html = Files.readString(out.resolve("report.html"));
        assertThat(html).contains("grid.png").contains("gram-1-relu1_2.png").contains("styleRatio");
    }
}
