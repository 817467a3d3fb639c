package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.Settings;
import org.perceptuallab.host.io.JsonFiles;
import org.perceptuallab.testkit.Fixtures;

/** Shared set-up of the matrix tests: the distribution's plugins, the bundled photos, small matrices. */
final class MatrixFixtures {
    private MatrixFixtures() {
    }

    static Path pluginsDir() {
        Path dir = Path.of(System.getProperty("plab.pluginsDir", "../target/plugins"));
        for (String plugin : new String[] {"losses-pixel", "losses-deep", "experiment-image-mean", "experiment-2afc",
                "experiment-clustering", "experiment-style-transfer", "experiment-generative"}) {
            assertThat(dir.resolve(plugin + ".jar")).as("the reactor builds %s before the host", plugin).isRegularFile();
        }
        return dir;
    }

    static Lab lab(long seed) {
        return new Lab(Settings.fromEnvironment().withoutPluginDirs().withPluginDir(pluginsDir()).withSeed(seed));
    }

    /**
     * Waits until a child run started with {@code -Dplab.test.parkAfterSteps} has written {@code marker}: it
     * then waits at that step for the kill (runtime's KillPoint). Fails with the child's log if the child
     * ends, or two minutes pass, first.
     */
    static void awaitParked(Process child, Path marker, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        try (WatchService watch = marker.getFileSystem().newWatchService()) {
            marker.getParent().register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            while (!Files.exists(marker) && child.isAlive() && System.nanoTime() < deadline) {
                WatchKey created = watch.poll(1, TimeUnit.SECONDS);
                if (created != null) {
                    created.pollEvents();
                    created.reset();
                }
            }
        }
        assertThat(marker).as("the child parks at its kill point; its log: %s", Files.readString(log)).exists();
    }

    static Path write(Path dir, String name, String yaml) throws IOException {
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve(name), yaml);
    }

    /**
     * Runs a matrix file quietly with a lab of that seed, checks that each of its {@code cells} cells finished
     * (a failed one is named with its error) and returns the cells of results.json.
     */
    static JsonNode runEveryCell(Path file, Path output, long seed, int cells) throws IOException {
        MatrixRunner.Result outcome;
        try (Lab lab = lab(seed)) {
            outcome = new MatrixRunner(lab, new PrintWriter(new StringWriter(), true)).run(MatrixSpec.read(file), output);
        }
        JsonNode results = results(output).get("cells");
        for (JsonNode c : results) {
            assertThat(c.path("status").asText()).as(c.path("error").asText()).isEqualTo("done");
        }
        assertThat(results).hasSize(cells);
        assertThat(outcome.done()).isEqualTo(cells);
        return results;
    }

    static JsonNode results(Path output) throws IOException {
        return JsonFiles.JSON.readTree(output.resolve("results.json").toFile());
    }

    /**
     * Every metric of every cell of a results folder but the times, by experiment/loss/metric; every cell
     * must be done.
     */
    static Map<String, Double> figures(Path output) throws IOException {
        Map<String, Double> out = new TreeMap<>();
        for (JsonNode c : results(output).get("cells")) {
            assertThat(c.path("status").asText()).as(c.path("error").asText()).isEqualTo("done");
            c.path("metrics").fields().forEachRemaining(m -> {
                if (!m.getKey().toLowerCase(Locale.ROOT).endsWith("seconds")) {
                    out.put(c.path("experiment").asText() + "/" + c.path("loss").asText() + "/" + m.getKey(),
                            m.getValue().asDouble());
                }
            });
        }
        return out;
    }

    /**
     * Two runs' figures agree up to float rounding: libtorch's vectorised CPU kernels may round differently
     * from run to run (same seed, data and steps; different memory alignment), so to ~1e-6, not bit for bit.
     */
    static void assertSameFigures(Map<String, Double> actual, Map<String, Double> expected) {
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        actual.forEach((name, value) -> assertThat(value).as(name)
                .isCloseTo(expected.get(name), within(1e-5 * Math.max(1, Math.abs(value)))));
    }

    /**
     * A six-cell matrix for the shard tests: l1, l2 and ssim through image-mean ({@code steps} long, on
     * crops of a bundled photo) and clustering (20 bundled Fashion-MNIST images).
     */
    static Path sixCellMatrix(Path dir, long seed, int steps) throws IOException {
        return write(dir, "six-cells.yaml", """
                name: six-cells
                seed: %d
                losses: [l1, l2, ssim]
                experiments:
                  - experiment: image-mean
                    params: {data: %s, size: 24, crops: 3, jitter: 2, steps: %d, lr: 0.01}
                  - experiment: clustering
                    params: {data: %s, size: 16, maxPerClass: 2, restarts: 2}
                """.formatted(seed, Fixtures.photo("chelsea.png"), steps,
                Fixtures.shipped("examples/data/fashion-mnist-100/fashion-images-idx3-ubyte.gz")));
    }
}
