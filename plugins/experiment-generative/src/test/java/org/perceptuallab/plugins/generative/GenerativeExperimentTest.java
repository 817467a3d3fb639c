package org.perceptuallab.plugins.generative;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.ExperimentResult;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Metric;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.Progress;
import org.perceptuallab.api.Table;
import org.perceptuallab.kit.io.NumpyArrays;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.Fixtures;
import org.perceptuallab.testkit.TestCell;

/**
 * Whole cells of both experiments on 24 bundled Fashion-MNIST images at 32x32 with tiny networks: the
 * reconstruction curve falls, every figure and the codes are written, held-out reconstruction and sliced
 * Wasserstein distances are reported; a cell stopped mid-epoch resumes from its step checkpoint and ends with
 * the codes of an uninterrupted run, bit for bit.
 */
class GenerativeExperimentTest extends CatalogTest {
    private static final String TINY = "{\"data\": \"%s\", \"size\": 32, \"gray\": true, \"maxImages\": 24,"
            + " \"heldOut\": 0.25, \"latent\": 8, \"width\": 4, \"epochs\": %d, \"batch\": 8, \"lr\": 0.01,"
            + " \"samples\": 4, \"interpolations\": 2, \"interpolationSteps\": 4, \"fixedImages\": 4,"
            + " \"swdProjections\": 16, \"imleEpochs\": 3, \"imleBatch\": 4, \"imleNoise\": 6%s}";

    private static String params(int epochs, String extra) {
        return TINY.formatted(Fixtures.shipped("examples/data/fashion-mnist-100/fashion-images-idx3-ubyte.gz"),
                epochs, extra);
    }

    @Test
    void gloTrainsItsCodesAndReportsEveryFigure(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("glo");
        ExperimentResult r = run(new GloExperiment(), "l2", params(4, ", \"lrCodes\": 0.05, \"heldOutSteps\": 5"),
                context(3, out, dir));
        List<Double> curve = curve(out, Trainer.RECONSTRUCTION);
        assertThat(curve).hasSize(4);
        assertThat(curve.get(3)).isLessThan(curve.get(0));
        assertThat(r.value("trainLoss")).isEqualTo(curve.get(3));
        assertThat(r.value("trainImages")).isEqualTo(18);
        assertThat(r.value("heldOutImages")).isEqualTo(6);
        assertThat(r.headline()).isEqualTo("swdPatches");
        assertThat(r.metrics().get("swdPatches").better()).isEqualTo(Metric.Better.LOWER);
        assertThat(r.value("heldOutL2")).isPositive();
        assertThat(r.value("heldOutLoss")).isEqualTo(r.value("heldOutL2"));
        assertThat(r.value("swdImages")).isPositive();
        assertThat(r.images()).containsOnlyKeys("training images", "reconstructions", "held-out reconstructions",
                "reconstructions per epoch", "samples", "nearest training images", "interpolations", "IMLE samples",
                "IMLE interpolations");
        assertThat(curve(out, ImleSampler.LOSS)).hasSize(3);
        Table baselines = r.tables().get(0);
        assertThat(baselines.title()).isEqualTo("baselines against 6 held-out images");
        assertThat(baselines.columns()).containsExactly("images", "SWD (whole images)", "SWD (8x8 patches)",
                "FD in vgg features");
        assertThat(baselines.rows()).extracting(row -> row.get(0)).containsExactly("training images",
                "reconstructions", "Gaussian samples", "IMLE samples");
        assertThat(r.value("baseline.gaussian.swdPatches")).as("the headline's samples and directions")
                .isEqualTo(r.value("swdPatches"));
        for (String score : List.of("swdPatches", "featureFd")) {
            assertThat(r.value("baseline.training." + score)).as("real images are the nearest to real images, " + score)
                    .isLessThan(r.value("baseline.reconstructions." + score))
                    .isLessThan(r.value("baseline.gaussian." + score)).isLessThan(r.value("baseline.imle." + score));
        }
        for (String set : List.of("training", "reconstructions", "gaussian", "imle")) {
            for (String score : List.of("swdImages", "swdPatches", "featureFd")) {
                assertThat(r.value("baseline." + set + "." + score)).as(set + " " + score).isPositive();
            }
        }
        assertThat(r.details().path("imle").asText()).contains("6-dimensional").contains("18 codes");
        assertThat(r.images().keySet()).as("the inputs and the last reconstructions first, for the report's"
                + " side-by-side view").startsWith("training images", "reconstructions");
        assertThat(r.value("reconstructionL2")).isLessThan(r.value("reconstructionL2First"));
        assertThat(r.value("reconstructionStructure")).isBetween(0.0, 2.0);
        assertThat(r.value("reconstructionStructureFirst")).isBetween(0.0, 2.0);
        r.images().values().forEach(file -> assertThat(out.resolve(file)).isRegularFile());
        assertThat(r.details().path("heldOutCodes").asText()).startsWith("optimised: 5 Adam steps");
        assertThat(r.details().path("swd").asText()).contains("6 samples").contains("8x8 patches at stride 4");
        try (NDManager m = manager.newSubManager()) {
            NDArray codes = NumpyArrays.readNpy(m, out.resolve("codes.npy"));
            assertThat(codes.getShape()).isEqualTo(new Shape(18, 8));
        }
        assertThat(curve(out, Trainer.IMAGES_PER_SECOND)).hasSize(4).allSatisfy(v -> assertThat(v).isPositive());
        assertThat(curve(out, Trainer.RSS)).hasSize(4);
    }

    @Test
    void structureErrorIsBlindToBrightnessAndContrastAndCountsAConstantPictureAsUnrelated() {
        try (NDManager m = manager.newSubManager()) {
            NDArray images = m.randomUniform(-1, 1, new Shape(3, 1, 8, 8));
            assertThat(Evaluation.structureError(images, images)).isCloseTo(0, within(1e-9));
            assertThat(Evaluation.structureError(images.mul(0.3f).add(0.5f), images)).as("brighter, flatter")
                    .isCloseTo(0, within(1e-6));
            assertThat(Evaluation.structureError(images.neg(), images)).as("inverted").isCloseTo(2, within(1e-6));
            assertThat(Evaluation.structureError(m.zeros(images.getShape()), images)).as("constant").isEqualTo(1);
        }
    }

    @Test
    void autoencoderTrainsEncoderAndGeneratorUnderTheLoss(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("ae");
        ExperimentResult r = run(new AutoencoderExperiment(), "l1", params(4, ", \"evaluateWith\": \"l2, l1,l2\""),
                context(5, out, dir));
        assertThat(r.value("heldOut.under.l2")).isEqualTo(r.value("heldOutL2"));
        assertThat(r.value("heldOut.under.l1")).as("the loss under study").isEqualTo(r.value("heldOutLoss"));
        assertThat(r.metrics().keySet().stream().filter(name -> name.startsWith("heldOut.under."))).hasSize(2);
        List<Double> curve = curve(out, Trainer.RECONSTRUCTION);
        assertThat(curve).hasSize(4);
        assertThat(curve.get(3)).isLessThan(curve.get(0));
        assertThat(r.value("heldOutLoss")).isNotEqualTo(r.value("heldOutL2"));
        assertThat(r.details().path("heldOutCodes").asText()).isEqualTo("the encoder's, in evaluation mode");
        try (NDManager m = manager.newSubManager()) {
            assertThat(NumpyArrays.readNpy(m, out.resolve("codes.npy")).getShape()).isEqualTo(new Shape(18, 8));
        }
    }

    @Test
    void aCellStoppedMidEpochResumesFromItsStepCheckpointToTheSameCodes(@TempDir Path dir) throws Exception {
        // 3 steps an epoch: step 5 is mid-epoch 2, one step after the checkpoint at step 4
        assertResumesToTheSameCodes(dir, ", \"checkpointEvery\": 2, \"heldOutSteps\": 2", 5);
    }

    @Test
    void aCellStoppedBetweenGeneratorStepsResumesWithTheGradientsItHadCollected(@TempDir Path dir)
            throws Exception {
        // two code steps per generator step, 3 steps an epoch: the checkpoint at the end of epoch 1 (step 3) holds
        // the gradient of step 3, which the generator's step after step 4 adds to step 4's
        assertResumesToTheSameCodes(dir, ", \"codeSteps\": 2, \"heldOutSteps\": 2", 3);
    }

    private void assertResumesToTheSameCodes(Path dir, String extra, int stopAfter) throws Exception {
        // pixel features for the baselines: building a random VGG three times would triple the test's time
        String given = params(3, extra + ", \"featureLoss\": {\"loss\": \"l2\"}");
        Path clean = dir.resolve("clean");
        run(new GloExperiment(), "l2", given, context(9, clean, dir));

        Path stopped = dir.resolve("stopped");
        assertThatThrownBy(() -> run(new GloExperiment(), "l2", given, stoppingAfter(stopAfter, stopped, dir)))
                .hasMessageContaining("stopped after " + stopAfter + " steps");
        ExperimentResult resumed = run(new GloExperiment(), "l2", given,
                context(9, stopped, dir));
        assertThat(resumed.details().path("attempts").asInt()).isEqualTo(2);
        assertThat(Files.readAllBytes(stopped.resolve("codes.npy")))
                .isEqualTo(Files.readAllBytes(clean.resolve("codes.npy")));
        assertThat(curve(stopped, Trainer.RECONSTRUCTION)).isEqualTo(curve(clean, Trainer.RECONSTRUCTION));
    }

    @Test
    void aSizeTheNetworksAreNotBuiltForIsRefusedNamingTheParameter(@TempDir Path dir) {
        assertThatThrownBy(() -> run(new AutoencoderExperiment(), "l2", params(1, "").replace("\"size\": 32",
                "\"size\": 48"), context(1, dir.resolve("x"), dir)))
                .isInstanceOf(PlabException.class).hasMessageContaining("size 48").hasMessageContaining("'size'");
    }

    /** A cell context of its own manager (the state folder OUT.state is kept between contexts on one folder). */
    private static TestCell context(long seed, Path out, Path dataRoot) {
        return lab.cell(manager.newSubManager(), seed, out).optDataRoot(dataRoot).open();
    }

    /** A cell context whose progress throws once {@code steps} steps are done: a crash in the middle of training. */
    private static TestCell stoppingAfter(long steps, Path out, Path dataRoot) {
        AtomicLong done = new AtomicLong();
        Progress stopping = new Progress() {
            @Override
            public void step(long n) {
                if (done.addAndGet(n) > steps) {
                    throw new IllegalStateException("stopped after " + steps + " steps");
                }
            }

            @Override
            public void status(String text) {
            }

            @Override
            public void close() {
            }
        };
        return lab.cell(manager.newSubManager(), 9, out).optDataRoot(dataRoot)
                .optProgress((task, total) -> stopping).open();
    }

    private static ExperimentResult run(Experiment e, String lossId, String given, TestCell ctx) throws Exception {
        ObjectNode json = (ObjectNode) new ObjectMapper().readTree(given);
        try (ctx; NDManager cell = ctx.manager(); Loss loss = lab.loss(LossSpec.of(lossId), cell, 0)) {
            Files.createDirectories(ctx.outputDir());
            return e.run(e.params().resolve("experiment '" + e.id() + "'", json), loss, ctx);
        }
    }

    /** A series the cell streamed, from its state folder's metrics. */
    private static List<Double> curve(Path out, String series) {
        return TestCell.metrics(out).get(series);
    }
}
