package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.host.PlabRun;
import org.perceptuallab.kit.io.Distortions;
import org.perceptuallab.kit.io.Images;
import org.perceptuallab.kit.io.NumpyArrays;
import org.perceptuallab.testkit.Fixtures;

/**
 * LPIPS calibration as a lab runs it: a random AlexNet's lpips with every channel weighted 1 calibrated on one
 * 2AFC set and scored on another, the weights file it writes loaded by lpips in a 2AFC run, and a calibration
 * on make-2afc's sets (soft judgements) killed with SIGKILL mid-training resumed to the same weights.
 */
class LpipsCalibrationTest {
    @TempDir
    static Path sets;
    @TempDir
    static Path preference;
    /** Two opposite tastes: the kind judges take as the closer, and the other kind of each pair. */
    private static final String[][] TASTES = {{"color", "noise"}, {"noise", "color"}};

    @BeforeAll
    static void makeSets() throws IOException {
        for (String[] set : new String[][] {{"train", "200", "1"}, {"test", "100", "2"}}) {
            PlabRun run = PlabRun.of("make-2afc", "--from", Fixtures.photos().toString(), "--out",
                    sets.resolve(set[0]).toString(), "--triplets", set[1], "--seed", set[2], "--judge", "SOFT");
            assertThat(run.exit()).as(run.err()).isZero();
        }
        for (String[] taste : TASTES) {
            Path sets = preference.resolve(taste[0] + "-closer");
            writePreferenceSet(sets.resolve("train"), 200, 1, taste[0], taste[1]);
            writePreferenceSet(sets.resolve("test"), 100, 2, taste[0], taste[1]);
        }
    }

    /**
     * Judges with a taste the uncalibrated weights cannot know: each triplet offers two distortions of the
     * reference, of kinds {@code closer} and {@code other}, at random strengths and in random order, and 9 in
     * 10 judges take the {@code closer} one as the closer. Learning it means weighting channels by what they
     * respond to, which is what calibration is for. (make-2afc's pairs share one distortion kind and are
     * judged by its strength, an order the unit weights already mostly get right: calibrating on 200 of them
     * moved the held-out score of 100 by one triplet, either way, with the machine's rounding.)
     */
    private static void writePreferenceSet(Path out, int triplets, long seed, String closer, String other)
            throws IOException {
        List<BufferedImage> photos = new ArrayList<>();
        try (Stream<Path> files = Files.list(Fixtures.photos())) {
            files.filter(Images::isImageFile).sorted().forEach(f -> photos.add(Images.read(f)));
        }
        Random random = new Random(seed);
        Path dir = out.resolve(closer + "-or-" + other);
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int i = 0; i < triplets; i++) {
                BufferedImage photo = photos.get(random.nextInt(photos.size()));
                int side = Math.min(photo.getWidth(), photo.getHeight()) / 2;
                BufferedImage ref = Images.resize(Images.crop(photo, random.nextInt(photo.getWidth() - side + 1),
                        random.nextInt(photo.getHeight() - side + 1), side, side), 64, 64);
                BufferedImage taken = Distortions.apply(closer, ref, 0.3 + 0.7 * random.nextDouble(), random.nextLong());
                BufferedImage left = Distortions.apply(other, ref, 0.3 + 0.7 * random.nextDouble(), random.nextLong());
                boolean takenFirst = random.nextBoolean();
                String name = String.format(Locale.ROOT, "%06d", i);
                Images.writePng(ref, dir.resolve("ref").resolve(name + ".png"));
                Images.writePng(takenFirst ? taken : left, dir.resolve("p0").resolve(name + ".png"));
                Images.writePng(takenFirst ? left : taken, dir.resolve("p1").resolve(name + ".png"));
                // the judge file holds the share of judges who took p1 as the closer
                Path judge = dir.resolve("judge").resolve(name + ".npy");
                Files.createDirectories(judge.getParent());
                try (OutputStream file = Files.newOutputStream(judge)) {
                    NumpyArrays.writeNpy(manager.create(new float[] {takenFirst ? 0.1f : 0.9f}), file);
                }
            }
        }
    }

    @Test
    void calibratedWeightsBeatUncalibratedOnTheHeldOutSetAndLoadInLpips(@TempDir Path tmp) throws Exception {
        // Measured here: colour-closer 0.524 -> 0.884, noise-closer 0.516 -> 0.756 (chance is 0.5).
        for (String[] taste : TASTES) {
            JsonNode cell = calibrate(preference.resolve(taste[0] + "-closer"), tmp.resolve(taste[0]));
            assertThat(cell.at("/metrics/score").asDouble())
                    .as("held-out 2AFC score, judges taking %s as closer than %s, calibrated against uncalibrated",
                            taste[0], taste[1])
                    .isGreaterThan(cell.at("/metrics/scoreUncalibrated").asDouble() + 0.1);
            assertThat(cell.at("/details/zeroWeights").asLong()).as("weights clamped at zero, not all of them")
                    .isBetween(0L, cell.at("/details/channels").asLong() - 1);
        }
        Path out = tmp.resolve(TASTES[0][0]);
        Path data = preference.resolve(TASTES[0][0] + "-closer");
        double calibrated = MatrixFixtures.results(out).get("cells").get(0).at("/metrics/score").asDouble();
        Path weights = weightsFile(out);

        Path scored = tmp.resolve("scored");
        PlabRun twoAfc = PlabRun.of("run", "2afc", "--loss", "lpips", "-p", "net=alex", "-p",
                "linearWeights=" + weights, "-e", "data=" + data.resolve("test"), "--out", scored.toString());
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

    /** lpips-calibration of a random AlexNet's unit weights on data/train, scored on data/test: its cell. */
    private static JsonNode calibrate(Path data, Path out) throws IOException {
        PlabRun run = PlabRun.of("run", "lpips-calibration", "--loss", "lpips", "-p", "net=alex", "-p",
                "linearWeights=ones", "-e", "data=" + data.resolve("train"), "-e", "test=" + data.resolve("test"),
                "-e", "epochs=30", "-e", "decayEpochs=30", "-e", "lr=0.05", "--out", out.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        return MatrixFixtures.results(out).get("cells").get(0);
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
