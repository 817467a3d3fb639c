package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.report.ReportModel;
import org.perceptuallab.host.run.RunConfiguration;
import org.perceptuallab.testkit.Fixtures;

/**
 * A matrix's {@code replicates} (or {@code seeds}) runs every experiment and loss under each seed as a cell of its
 * own: each seed's cell is the cell a run under that seed alone makes, and the report ranks losses by the mean
 * over seeds and shows mean ± sd.
 */
class ReplicatesTest {
    private static final String MATRIX = """
            name: seeds
            seed: 4
            %s
            losses: [l2, l1]
            experiments:
              - {experiment: image-mean, name: mean,
                 params: {data: %s, size: 16, crops: 2, jitter: 2, steps: 8, lr: 0.02, startMode: mean}}
            """;

    private static MatrixRunner.Result run(Path file, Path out, StringWriter log) throws Exception {
        try (Lab lab = MatrixFixtures.lab(0)) {
            MatrixSpec spec = MatrixSpec.read(file);
            return new MatrixRunner(lab, new PrintWriter(log, true)).run(spec,
                    RunConfiguration.of(lab.settings().withSeed(spec.seed()), out));
        }
    }

    @Test
    void eachSeedIsACellOfItsOwnAsItsOwnRunMakesItAndTheReportShowsTheMeanAndSpread(@TempDir Path tmp)
            throws Exception {
        Path photo = Fixtures.photos().resolve("coffee.png");
        StringWriter log = new StringWriter();
        Path out = tmp.resolve("three");
        MatrixRunner.Result three = run(MatrixFixtures.write(tmp, "three.yaml", MATRIX.formatted("replicates: 3",
                photo)), out, log);
        assertThat(three.done()).as(log.toString()).isEqualTo(6);
        assertThat(log.toString()).contains("mean x l2 seed 5: done in");
        Map<String, JsonNode> bySeed = new HashMap<>();
        for (JsonNode c : MatrixFixtures.results(out).get("cells")) {
            bySeed.put(c.get("loss").asText() + "@" + c.at("/key/seed").asLong(), c);
        }
        assertThat(bySeed).containsOnlyKeys("l2@4", "l2@5", "l2@6", "l1@4", "l1@5", "l1@6");

        // Seed 5 alone, as `seeds: [5]`: the same cell, key and figures.
        Path alone = tmp.resolve("alone");
        run(MatrixFixtures.write(tmp, "alone.yaml", MATRIX.formatted("seeds: [5]", photo)), alone, new StringWriter());
        JsonNode single = MatrixFixtures.results(alone).get("cells").get(0);
        assertThat(single.get("key")).isEqualTo(bySeed.get("l2@5").get("key"));
        assertThat(single.get("metrics").get("distanceEnd")).isEqualTo(bySeed.get("l2@5").get("metrics").get("distanceEnd"));

        List<Double> sharpness = new ArrayList<>();
        for (long seed = 4; seed <= 6; seed++) {
            sharpness.add(bySeed.get("l2@" + seed).at("/metrics/sharpness").asDouble());
        }
        assertThat(sharpness).as("the seeds draw different crops").doesNotHaveDuplicates();
        double mean = sharpness.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        String html = Files.readString(out.resolve("report.html"));
        assertThat(html).contains(ReportModel.number(mean) + " ± ").contains("(n = 3)").contains("<b>l2 (seed 6)</b>");
        assertThat(Files.readAllLines(out.resolve("results.csv")).get(0)).endsWith(",seed");

        MatrixRunner.Result again = run(MatrixFixtures.write(tmp, "three.yaml", MATRIX.formatted("replicates: 3",
                photo)), out, new StringWriter());
        assertThat(again.skipped()).as("every seed's cell is kept on a rerun").isEqualTo(6);
    }

    @Test
    void seedsAndReplicatesAreReadStrictlyAndReplicatesCountFromTheRunsSeed(@TempDir Path tmp) throws Exception {
        assertThat(MatrixSpec.read(MatrixFixtures.write(tmp, "a.yaml", MATRIX.formatted("replicates: 3", "x")))
                .replicates().of(7)).containsExactly(7L, 8L, 9L);
        assertThat(MatrixSpec.read(MatrixFixtures.write(tmp, "b.yaml", MATRIX.formatted("seeds: [3, 0]", "x")))
                .replicates().of(7)).containsExactly(3L, 0L);
        assertThat(MatrixSpec.read(MatrixFixtures.write(tmp, "c.yaml", MATRIX.formatted("", "x"))).replicates().of(7))
                .containsExactly(7L);
        for (String bad : List.of("seeds: [1, 1]", "seeds: []", "seeds: [-1]", "seeds: 3", "replicates: 0",
                "replicates: 1000000", "{seeds: [1], replicates: 2}".replace("{", "").replace("}", "")
                        .replace(", ", "\n"))) {
            Path file = MatrixFixtures.write(tmp, "bad.yaml", MATRIX.formatted(bad, "x"));
            assertThatThrownBy(() -> MatrixSpec.read(file)).as(bad).isInstanceOf(PlabException.class)
                    .hasMessageContaining(bad.startsWith("seeds: [1]") ? "not both" : bad.startsWith("seeds")
                            ? "'seeds' must be a non-empty list of distinct non-negative integers"
                            : "'replicates' must be in [1, 1000]");
        }
    }
}
