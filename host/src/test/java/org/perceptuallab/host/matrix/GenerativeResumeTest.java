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
 * A GLO cell killed with SIGKILL in the middle of an epoch (a real {@code kill -9} of the child JVM running
 * {@code plab matrix}, parked at its 33rd training step by runtime's KillPoint: the sixth step of the second
 * epoch of 27), then run again: it continues from its last step checkpoint and ends with final codes
 * identical, bit for bit, to those of an uninterrupted run (every run a child JVM with one thread, CPU).
 */
class GenerativeResumeTest {
    private static final String MATRIX = """
            name: generative-resume
            seed: 11
            losses: [l2]
            experiments:
              - experiment: glo
                params: {data: %s, size: 32, gray: true, maxImages: 60, heldOut: 0.1, latent: 16, width: 8, epochs: 4,
                         batch: 2, lr: 0.01, checkpointEvery: 1, samples: 4, interpolations: 1, heldOutSteps: 3,
                         swdProjections: 8}
            """;

    @Test
    void aCellKilledMidEpochEndsWithTheCodesOfAnUninterruptedRun(@TempDir Path tmp) throws Exception {
        Path data = Fixtures.shipped("examples/data/fashion-mnist-100/fashion-images-idx3-ubyte.gz");
        Path file = MatrixFixtures.write(tmp, "resume.yaml", MATRIX.formatted(data));
        Path killed = tmp.resolve("killed");

        Path parked = tmp.resolve("parked");
        Process child = plab(file, killed, tmp.resolve("killed.log"), "-Dplab.test.parkAfterSteps=33",
                "-Dplab.test.parkedMarker=" + parked);
        MatrixFixtures.awaitParked(child, parked, tmp.resolve("killed.log"));
        child.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no shutdown hook runs
        // Parked inside step 6 of epoch 1 (0-based), before its checkpoint: the last one is after step 5.
        assertThat(checkpoint(killed).orElseThrow()).as("epoch and step of the checkpoint left").containsExactly(1, 5);
        assertThat(cellDir(killed).resolve(ResultStore.RESULT)).doesNotExist();

        Path clean = tmp.resolve("clean");
        for (Path out : new Path[] {killed, clean}) {
            Path log = tmp.resolve(out.getFileName() + "-final.log");
            assertThat(plab(file, out, log).waitFor()).as("%s", Files.readString(log)).isZero();
        }

        JsonNode resumed = MatrixFixtures.results(killed).get("cells").get(0);
        JsonNode uninterrupted = MatrixFixtures.results(clean).get("cells").get(0);
        assertThat(resumed.at("/details/attempts").asInt()).isEqualTo(2);
        assertThat(uninterrupted.at("/details/attempts").asInt()).isEqualTo(1);
        assertThat(Files.readAllBytes(cellDir(killed).resolve("codes.npy")))
                .as("final codes, bit for bit").isEqualTo(Files.readAllBytes(cellDir(clean).resolve("codes.npy")));
        assertThat(resumed.at("/curves/reconstruction/values"))
                .isEqualTo(uninterrupted.at("/curves/reconstruction/values"));
        assertThat(resumed.at("/metrics/swdPatches").asDouble())
                .isEqualTo(uninterrupted.at("/metrics/swdPatches").asDouble());
    }

    /** A child JVM running {@code plab --threads 1 matrix FILE --out OUT}, with these further JVM options. */
    private static Process plab(Path file, Path out, Path log, String... jvmOptions) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"),
                "-Dplab.pluginsDir=" + MatrixFixtures.pluginsDir().toAbsolutePath(), "-Dai.djl.offline=true"));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("org.perceptuallab.host.cli.Plab", "--threads", "1", "matrix", file.toString(), "--out",
                out.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static Path cellDir(Path out) throws IOException {
        List<Path> dirs = new ResultStore(out).cellDirs("glo", "l2");
        assertThat(dirs).hasSize(1);
        return dirs.get(0);
    }

    /** The epoch and step of the cell's checkpoint, once there is one. */
    private static Optional<int[]> checkpoint(Path out) throws IOException {
        if (!Files.isDirectory(out)) {
            return Optional.empty();
        }
        List<Path> dirs = new ResultStore(out).cellDirs("glo", "l2");
        Path zip = dirs.isEmpty() ? null : dirs.get(0).resolve(ResultStore.STATE).resolve("checkpoint.zip");
        if (zip == null || !Files.isRegularFile(zip)) {
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
