package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.host.Lab;
import org.perceptuallab.testkit.Fixtures;

/**
 * A matrix run killed with SIGKILL in the middle of a cell, then started again: finished cells are kept
 * as they were (not re-run), none is lost, and the final results equal those of an uninterrupted run. One
 * job, so that the cells run in plan order (400 steps each); the run parks at its 600th step, the middle of
 * the second cell (runtime's KillPoint), and is killed there.
 */
class MatrixResumeTest {
    static final String MATRIX = """
            name: resume
            seed: 7
            losses: [l2, ssim, patch-rbf]
            experiments:
              - experiment: image-mean
                params: {data: %s, size: 24, crops: 4, jitter: 2, steps: %d, lr: 0.01}
            """;

    @Test
    void killedRunResumesWithoutRerunningOrLosingCells(@TempDir Path tmp) throws Exception {
        Path photo = Fixtures.photos().resolve("chelsea.png");
        Path file = MatrixFixtures.write(tmp, "resume.yaml", MATRIX.formatted(photo, 400));
        Path killed = tmp.resolve("killed");

        Path parked = tmp.resolve("parked");
        Process child = new ProcessBuilder(javaExecutable(), "-cp", System.getProperty("java.class.path"),
                "-Dplab.pluginsDir=" + MatrixFixtures.pluginsDir().toAbsolutePath(), "-Dai.djl.offline=true",
                "-Dplab.test.parkAfterSteps=600", "-Dplab.test.parkedMarker=" + parked,
                "org.perceptuallab.host.cli.Plab", "matrix", file.toString(), "--out", killed.toString(), "--jobs", "1")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        MatrixFixtures.awaitParked(child, parked, tmp.resolve("child.log"));
        child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        ResultStore store = new ResultStore(killed);
        Path first = resultOf(store, "l2");
        assertThat(first).as("the first cell ended before the kill").isNotNull();
        assertThat(resultOf(store, "ssim")).as("the kill lands in the second cell").isNull();
        assertThat(resultOf(store, "patch-rbf")).isNull();
        String firstBefore = Files.readString(first);

        StringWriter log = new StringWriter();
        try (Lab lab = MatrixFixtures.lab(7)) {
            new MatrixRunner(lab, new PrintWriter(log, true)).run(MatrixSpec.read(file), killed);
        }
        assertThat(Files.readString(first)).as("the finished cell is kept, not re-run").isEqualTo(firstBefore);
        assertThat(log.toString()).contains("image-mean x l2: done before, kept");

        Path clean = tmp.resolve("clean");
        try (Lab lab = MatrixFixtures.lab(7)) {
            new MatrixRunner(lab, new PrintWriter(new StringWriter())).run(MatrixSpec.read(file), clean);
        }
        // The losses here are smooth, so float rounding does not grow along the optimisation.
        Map<String, Double> resumed = figures(killed);
        Map<String, Double> uninterrupted = figures(clean);
        assertThat(resumed.keySet()).hasSize(3 * 6);
        MatrixFixtures.assertSameFigures(resumed, uninterrupted);
    }

    /** Every figure of each cell and the last loss-curve value of each cell. */
    private static Map<String, Double> figures(Path output) throws Exception {
        Map<String, Double> out = new TreeMap<>(MatrixFixtures.figures(output));
        for (JsonNode cell : MatrixFixtures.results(output).get("cells")) {
            JsonNode curve = cell.at("/curves/loss/values");
            assertThat(curve.size()).isEqualTo(400);
            out.put(cell.get("loss").asText() + ".lastStep", curve.get(curve.size() - 1).asDouble());
        }
        return out;
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The stored result of the image-mean cell of {@code loss}, or null while there is none. */
    private static Path resultOf(ResultStore store, String loss) throws IOException {
        return store.cellDirs("image-mean", loss).stream().map(d -> d.resolve(ResultStore.RESULT))
                .filter(Files::exists).findFirst().orElse(null);
    }
}
