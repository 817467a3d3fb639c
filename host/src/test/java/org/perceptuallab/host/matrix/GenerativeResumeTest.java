package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.host.io.JsonFiles;
import org.perceptuallab.testkit.Fixtures;

/**
 * A seeded GLO matrix (seeds 11 and 12, one cell each, run in plan order) killed with SIGKILL in the middle of
 * an epoch of its first seed's cell (a real {@code kill -9} of the child JVM running {@code plab matrix},
 * parked at its 33rd training step by runtime's KillPoint: the sixth step of the second epoch of 27), then
 * run again: the first seed's cell continues from its last step checkpoint, the second runs, and both end
 * with final codes identical, bit for bit, to those of an uninterrupted run (every run a child JVM with one
 * thread, CPU).
 */
class GenerativeResumeTest {
    private static final String MATRIX = """
            name: generative-resume
            seeds: [11, 12]
            losses: [l2]
            experiments:
              - experiment: glo
                params: {data: %s, size: 32, gray: true, maxImages: 60, heldOut: 0.1, latent: 16, width: 8, epochs: 4,
                         batch: 2, lr: 0.01, checkpointEvery: 1, samples: 4, interpolations: 1, heldOutSteps: 3,
                         swdProjections: 8}
            """;

    @Test
    void aSeededMatrixKilledMidEpochEndsWithTheCodesOfAnUninterruptedRun(@TempDir Path tmp) throws Exception {
        Path data = Fixtures.shipped("examples/data/fashion-mnist-100/fashion-images-idx3-ubyte.gz");
        Path file = MatrixFixtures.write(tmp, "resume.yaml", MATRIX.formatted(data));
        Path killed = tmp.resolve("killed");

        Path parked = tmp.resolve("parked");
        Process child = plab(file, killed, tmp.resolve("killed.log"), "-Dplab.test.parkAfterSteps=33",
                "-Dplab.test.parkedMarker=" + parked);
        MatrixFixtures.awaitParked(child, parked, tmp.resolve("killed.log"));
        child.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no shutdown hook runs
        // Parked inside step 6 of epoch 1 (0-based) of seed 11's cell, before its checkpoint: the last one is
        // after step 5. Seed 12's cell has not started.
        List<Path> started = new ResultStore(killed).cellDirs("glo", "l2");
        assertThat(started).hasSize(1);
        assertThat(checkpoint(started.get(0)).orElseThrow()).as("epoch and step of the checkpoint left")
                .containsExactly(1, 5);
        assertThat(started.get(0).resolve(ResultStore.RESULT)).doesNotExist();

        Path clean = tmp.resolve("clean");
        for (Path out : new Path[] {killed, clean}) {
            Path log = tmp.resolve(out.getFileName() + "-final.log");
            assertThat(plab(file, out, log).waitFor()).as("%s", Files.readString(log)).isZero();
        }

        for (long seed : new long[] {11, 12}) {
            JsonNode resumed = cell(killed, seed);
            JsonNode uninterrupted = cell(clean, seed);
            assertThat(resumed.at("/details/attempts").asInt()).as("seed %d's attempts", seed)
                    .isEqualTo(seed == 11 ? 2 : 1);
            assertThat(uninterrupted.at("/details/attempts").asInt()).isEqualTo(1);
            assertThat(Files.readAllBytes(cellDir(killed, seed).resolve("codes.npy")))
                    .as("seed %d's final codes, bit for bit", seed)
                    .isEqualTo(Files.readAllBytes(cellDir(clean, seed).resolve("codes.npy")));
            assertThat(resumed.at("/curves/reconstruction/values"))
                    .isEqualTo(uninterrupted.at("/curves/reconstruction/values"));
            assertThat(resumed.at("/metrics/swdPatches").asDouble())
                    .isEqualTo(uninterrupted.at("/metrics/swdPatches").asDouble());
        }
        assertThat(cell(clean, 11).at("/metrics/swdPatches").asDouble()).as("the seeds train different models")
                .isNotEqualTo(cell(clean, 12).at("/metrics/swdPatches").asDouble());
    }

    /** The results.json record of the run's cell under {@code seed}. */
    private static JsonNode cell(Path out, long seed) throws IOException {
        for (JsonNode c : MatrixFixtures.results(out).get("cells")) {
            if (c.at("/key/seed").asLong() == seed) {
                return c;
            }
        }
        throw new AssertionError("no cell of seed " + seed + " in " + out);
    }

    /** A child JVM running {@code plab --threads 1 matrix FILE --out OUT}, with these further JVM options. */
    private static Process plab(Path file, Path out, Path log, String... jvmOptions) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"),
                "-Dplab.pluginsDir=" + MatrixFixtures.pluginsDir().toAbsolutePath(), "-Dai.djl.offline=true"));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("org.perceptuallab.host.cli.Plab", "--threads", "1", "matrix", file.toString(), "--out",
                out.toString(), "--jobs", "1"));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** The folder of the run's cell under {@code seed}, from the record of where its pictures lie. */
    private static Path cellDir(Path out, long seed) throws IOException {
        return out.resolve(cell(out, seed).get("images").elements().next().asText()).getParent();
    }

    /** The epoch and step of the cell's checkpoint, once there is one. */
    private static Optional<int[]> checkpoint(Path cell) {
        Path zip = cell.resolve(ResultStore.STATE).resolve("checkpoint.zip");
        if (!Files.isRegularFile(zip)) {
            return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(zip); ZipInputStream entries = new ZipInputStream(in)) {
            for (ZipEntry e; (e = entries.getNextEntry()) != null; ) {
                if (e.getName().equals("meta.json")) {
                    JsonNode meta = JsonFiles.JSON.readTree(entries.readAllBytes());
                    return Optional.of(new int[] {meta.get("epoch").asInt(), meta.get("step").asInt()});
                }
            }
        } catch (IOException e) {
            return Optional.empty(); // replaced while read: look again
        }
        return Optional.empty();
    }
}
