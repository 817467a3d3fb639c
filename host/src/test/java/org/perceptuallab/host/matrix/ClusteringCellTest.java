package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.testkit.Fixtures;

/**
 * A clustering cell through the matrix on the bundled Fashion-MNIST subset: k-means for l2 (exact pixel
 * features), k-medoids for ssim (none), figures written and shown in the report.
 */
class ClusteringCellTest {

    @Test
    void clusteringCellsRunThroughTheMatrixAndTheirFiguresReachTheReport(@TempDir Path tmp) throws Exception {
        Path data = Fixtures.shipped("examples/data/fashion-mnist-100/fashion-images-idx3-ubyte.gz");
        Path file = MatrixFixtures.write(tmp, "clusters.yaml", """
                name: clusters
                seed: 4
                losses: [l2, ssim]
                experiments:
                  - experiment: clustering
                    params: {data: %s, size: 32, maxPerClass: 3, restarts: 3}
                """.formatted(data));
        Path out = tmp.resolve("out");
        JsonNode cells = MatrixFixtures.runEveryCell(file, out, 4, 2);
        for (JsonNode c : cells) {
            assertThat(c.at("/metrics/n").asInt()).isEqualTo(30);
            assertThat(c.at("/metrics/k").asInt()).isEqualTo(10);
            assertThat(c.at("/metrics/f1").asDouble()).isBetween(0.0, 1.0);
            assertThat(c.at("/metrics/ari").asDouble()).isBetween(-1.0, 1.0);
            for (String image : new String[] {"clusters", "confusion"}) {
                assertThat(out.resolve(c.at("/images/" + image).asText())).isRegularFile();
            }
        }
        assertThat(cells.get(0).at("/details/method").asText()).isEqualTo("kmeans");
        assertThat(cells.get(1).at("/details/method").asText()).isEqualTo("kmedoids");
        assertThat(cells.get(1).at("/details/evaluations").asInt()).isEqualTo(30 * 31 / 2);
        String html = Files.readString(out.resolve("report.html"));
        assertThat(html).contains("clusters.png").contains("confusion.png").contains("f1");
    }
}
