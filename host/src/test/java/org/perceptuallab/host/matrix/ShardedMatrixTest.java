package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.PlabRun;
import org.perceptuallab.host.run.CellOutcome;
import org.perceptuallab.host.run.RunConfiguration;
import org.perceptuallab.host.run.Shard;

/**
 * A matrix split into shards over one results folder: together they run every cell once, the merged
 * report equals a single-process run cell for cell, and a report made part-way names what is missing
 * and what is running.
 */
class ShardedMatrixTest {
    @Test
    void threeShardsRunEveryCellOnceAndMergeToTheSingleProcessResult(@TempDir Path tmp) throws Exception {
        Path file = MatrixFixtures.sixCellMatrix(tmp, 5, 20);
        Path shared = tmp.resolve("shared");
        int ran = 0;
        try (Lab lab = MatrixFixtures.lab(5)) {
            StringWriter log = new StringWriter();
            MatrixRunner.Result first = new MatrixRunner(lab, new PrintWriter(log, true)).run(MatrixSpec.read(file),
                    RunConfiguration.of(lab.settings(), shared).withShard(new Shard(0, 3)));
            ran += first.done();
            assertThat(log.toString()).containsPattern("shard 0/3: \\d of the matrix's 6 cells");

            // Part-way: shard 0's cells are done, the others missing; a marker left by a killed shard shows running.
            ResultsFolder.View partial = ResultsFolder.read(shared);
            assertThat(partial.cells()).hasSize(6);
            assertThat(statuses(partial.cells()).values()).containsOnly("done", "missing");
            CellOutcome.Pending pending = partial.cells().stream().filter(c -> c.status() == CellOutcome.Status.missing)
                    .map(c -> (CellOutcome.Pending) c).findFirst().orElseThrow();
            Path pendingDir = new ResultStore(shared).cellDirs(pending.experiment(), pending.loss()).stream()
                    .findFirst().orElseGet(() -> planDir(shared, pending));
            Files.createDirectories(pendingDir);
            new ResultStore(shared).markRunning(pendingDir, new Shard(pending.shard(), 3));
            PlabRun report = PlabRun.of("report", shared.toString());
            assertThat(report.exit()).as(report.err()).isZero();
            assertThat(report.out()).containsPattern("6 cells: " + first.done() + " done, 0 failed, 1 running, "
                    + (5 - first.done()) + " missing");
            assertThat(Files.readString(shared.resolve("report.html"))).contains("<b>running</b> since")
                    .contains("<b>missing</b>: not run yet");

            for (int k = 1; k < 3; k++) {
                MatrixRunner.Result o = new MatrixRunner(lab, new PrintWriter(new StringWriter(), true))
                        .run(MatrixSpec.read(file),
                    RunConfiguration.of(lab.settings(), shared).withShard(new Shard(k, 3)));
                assertThat(o.skipped()).as("shard %d found none of its cells done", k).isZero();
                ran += o.done();
            }
            MatrixRunner.Result again = new MatrixRunner(lab, new PrintWriter(new StringWriter(), true))
                    .run(MatrixSpec.read(file),
                    RunConfiguration.of(lab.settings(), shared).withShard(new Shard(1, 3)));
            assertThat(again.done()).as("a rerun shard skips what is done").isEqualTo(again.skipped());
        }
        assertThat(ran).as("every cell ran exactly once over the three shards").isEqualTo(6);

        Path single = tmp.resolve("single");
        try (Lab lab = MatrixFixtures.lab(5)) {
            new MatrixRunner(lab, new PrintWriter(new StringWriter(), true)).run(MatrixSpec.read(file), single);
        }
        PlabRun merged = PlabRun.of("report", shared.toString());
        assertThat(merged.out()).contains("6 cells: 6 done, 0 failed, 0 running, 0 missing");
        MatrixFixtures.assertSameFigures(MatrixFixtures.figures(shared), MatrixFixtures.figures(single));
        String html = Files.readString(shared.resolve("report.html"));
        assertThat(html.indexOf("Overview")).as("the overview opens the report").isLessThan(html.indexOf("<h2 id=\"image-mean\""));
        assertThat(html).contains("sharpness &uarr;").contains("f1 &uarr;");
    }

    private static Path planDir(Path shared, CellOutcome cell) {
        JsonNode plan = ShardPlan.newest(shared).orElseThrow();
        for (JsonNode c : plan.path("cells")) {
            if (c.path("experiment").asText().equals(cell.experiment())
                    && c.path("loss").asText().equals(cell.loss())) {
                return new ResultStore(shared).cellDir(c.path("experiment").asText(), c.path("loss").asText(),
                        c.path("id").asText());
            }
        }
        throw new AssertionError("cell not in the plan");
    }

    private static Map<String, String> statuses(List<CellOutcome> cells) {
        Map<String, String> out = new LinkedHashMap<>();
        cells.forEach(c -> out.put(c.experiment() + "/" + c.loss(), c.status().name()));
        return out;
    }
}
