package org.perceptuallab.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.host.io.JsonFiles;
import org.perceptuallab.testkit.Fixtures;

/** plab matrix with the mos-correlation experiment on a set it generates from the bundled photos, end to end. */
class MosCorrelationCliTest {
    @Test
    void tinyMatrixScoresEachLossAndReportsItsScatterPlot(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("mos.yaml"), """
                name: mos-tiny
                losses: [l2, ssim]
                experiments:
                  - experiment: mos-correlation
                    params: {generateFrom: %s, generateReferences: 3, generateKinds: "noise,blur", generateLevels: 3,
                             size: 24, bootstrap: 100}
                """.formatted(Fixtures.photos()));
        Path out = tmp.resolve("run");
        PlabRun run = PlabRun.of("matrix", file.toString(), "--out", out.toString(), "--jobs", "1");
        assertThat(run.exit()).as(run.err()).isZero();
        Map<String, JsonNode> byLoss = new HashMap<>();
        JsonFiles.JSON.readTree(out.resolve("results.json").toFile()).get("cells")
                .forEach(c -> byLoss.put(c.get("loss").asText(), c));
        assertThat(byLoss).containsOnlyKeys("l2", "ssim");
        for (JsonNode cell : byLoss.values()) {
            assertThat(cell.get("status").asText()).as(cell.path("error").asText()).isEqualTo("done");
            assertThat(cell.at("/metrics/pairs").asDouble()).isEqualTo(3 * 2 * 3);
            assertThat(cell.at("/metrics/srcc").asDouble()).isBetween(-1.0, 1.0);
        }
        // l2 orders each reference's noise by its level, and the levels alike across references
        assertThat(byLoss.get("l2").at("/metrics/srcc.noise").asDouble()).isGreaterThan(0.9);
        String report = Files.readString(out.resolve("report.html"));
        assertThat(report).contains("mos-correlation").contains("synthetic data").contains("per distortion type");
        try (var files = Files.walk(out.resolve("cells"))) {
            assertThat(files.filter(f -> f.getFileName().toString().equals("scatter.png"))).hasSize(2);
        }
    }
}
