package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.host.PlabRun;
import org.perceptuallab.testkit.Fixtures;

/**
 * LPIPS calibration as a lab runs it: 2AFC sets made by make-2afc (soft judgements), a random AlexNet's
 * lpips with every channel weighted 1 calibrated on one and scored on the other, the weights file it writes
 * loaded by lpips in a 2AFC run, and a calibration killed with SIGKILL mid-training resumed to the same weights.
 */
class LpipsCalibrationTest {
    @TempDir
    static Path sets;

    @BeforeAll
    static void makeSets() {
        for (String[] set : new String[][] {{"train", "200", "1"}, {"test", "100", "2"}}) {
            PlabRun run = PlabRun.of("make-2afc", "--from", Fixtures.photos().toString(), "--out",
                    sets.resolve(set[0]).toString(), "--triplets", set[1], "--seed", set[2], "--judge", "SOFT");
            assertThat(run.exit()).as(run.err()).isZero();
        }
    }

    @Test
    void calibratedWeightsBeatUncalibratedOnTheHeldOutSetAndLoadInLpips(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("calibration");
        PlabRun run = PlabRun.of("run", "lpips-calibration", "--loss", "lpips", "-p", "net=alex", "-p",
                "linearWeights=ones", "-e", "data=" + sets.resolve("train"), "-e", "test=" + sets.resolve("test"),
                "-e", "epochs=30", "-e", "decayEpochs=30", "-e", "lr=0.05", "--out", out.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode cell = MatrixFixtures.results(out).get("cells").get(0);
        double calibrated = cell.at("/metrics/score").asDouble();
        assertThat(calibrated).as("held-out 2AFC score, calibrated")
                .isGreaterThan(cell.at("/metrics/scoreUncalibrated").asDouble());
        assertThat(cell.at("/details/zeroWeights").asLong()).as("weights clamped at zero").isGreaterThanOrEqualTo(0);
        Path weights = weightsFile(out);

        Path scored = tmp.resolve("scored");
        PlabRun twoAfc = PlabRun.of("run", "2afc", "--loss", "lpips", "-p", "net=alex", "-p",
                "linearWeights=" + weights, "-e", "data=" + sets.resolve("test"), "--out", scored.toString());
        assertThat(twoAfc.exit()).as(twoAfc.err()).isZero();
        assertThat(MatrixFixtures.results(scored).get("cells").get(0).at("/metrics/score").asDouble())
                .as("lpips loading the written weights scores the held-out set as the calibration did")
                .isCloseTo(calibrated, within(1e-6));
    }

    @Test
    void aCalibrationKilledMidTrainingResumesToTheWeightsOfAnUninterruptedRun(@TempDir Path tmp) throws Exception {
        Path killed = tmp.resolve("killed");
        Path parked = tmp.resolve("parked");
        // 300 progress steps for the triplets' features, then one per epoch: parked after epoch 7's checkpoint
        Process child = plab(killed, tmp.resolve("killed.log"), "-Dplab.test.parkAfterSteps=307",
                "-Dplab.test.parkedMarker=" + parked);
        MatrixFixtures.awaitParked(child, parked, tmp.resolve("killed.log"));
        child.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no shutdown hook runs
        assertThat(cellDir(killed).resolve(ResultStore.RESULT)).as("the killed cell's result").doesNotExist();
        assertThat(cellDir(killed).resolve(ResultStore.STATE).resolve("checkpoint.zip")).isRegularFile();

        Path clean = tmp.resolve("clean");
        for (Path out : new Path[] {killed, clean}) {
            Path log = tmp.resolve(out.getFileName() + "-final.log");
            assertThat(plab(out, log).waitFor()).as("%s", Files.readString(log)).isZero();
        }
        assertThat(MatrixFixtures.results(killed).get("cells").get(0).at("/details/resumedFromEpoch").asInt())
                .as("the killed run continued from its last checkpoint").isEqualTo(7);
        assertThat(MatrixFixtures.results(clean).get("cells").get(0).at("/details/resumedFromEpoch").asInt()).isZero();
        assertThat(Files.readAllBytes(weightsFile(killed))).as("the calibrated weights, bit for bit")
                .isEqualTo(Files.readAllBytes(weightsFile(clean)));
    }

    private static Path weightsFile(Path out) throws IOException {
        return cellDir(out).resolve("lpips-linear.npz");
    }

    /** The run's one cell folder. */
    private static Path cellDir(Path out) throws IOException {
        try (Stream<Path> cells = Files.list(out.resolve("cells").resolve("lpips-calibration"))) {
            List<Path> all = cells.toList();
            assertThat(all).hasSize(1);
            return all.get(0);
        }
    }

    /** A child JVM running {@code plab --threads 1 run lpips-calibration} on the sets, with these JVM options. */
    private static Process plab(Path out, Path log, String... jvmOptions) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"),
                "-Dplab.pluginsDir=" + MatrixFixtures.pluginsDir().toAbsolutePath(), "-Dai.djl.offline=true"));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("org.perceptuallab.host.cli.Plab", "--threads", "1", "run", "lpips-calibration",
                "--loss", "lpips", "-p", "net=alex", "-p", "linearWeights=ones", "-e", "data=" + sets.resolve("train"),
                "-e", "test=" + sets.resolve("test"), "-e", "epochs=10", "-e", "decayEpochs=10", "--out",
                out.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
