package org.perceptuallab.plugins.twoafc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.perceptuallab.api.ExperimentContext;
import org.perceptuallab.api.ExperimentResult;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Metric;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.io.Images;
import org.perceptuallab.kit.io.NumpyArrays;
import org.perceptuallab.kit.io.TwoAfcSets;
import org.perceptuallab.testkit.CatalogTest;

/** The 2AFC score on hand-made triplets with known answers, read from the BAPPS layout. */
class TwoAfcExperimentTest extends CatalogTest {
    @Test
    void scoreFollowsTheFormula() {
        assertThat(TwoAfcSets.score(0.1, 0.2, 0.3)).isEqualTo(0.7);
        assertThat(TwoAfcSets.score(0.2, 0.1, 0.3)).isEqualTo(0.3);
        assertThat(TwoAfcSets.score(0.2, 0.2, 0.9)).isEqualTo(0.5);
    }

    @Test
    void l2AgreesWithJudgementsTowardTheWeakerNoise(@TempDir Path root) throws Exception {
        // Category "a": p0 is the weak noise; judges 0 (all chose p0), 0.25 and 1 (all chose p1, wrongly).
        // Category "b": p0 and p1 identical, so every score is 0.5.
        Random r = new Random(3);
        double[] judges = {0, 0.25, 1};
        for (int i = 0; i < judges.length; i++) {
            NDArray ref = manager.randomUniform(-0.8f, 0.8f, new Shape(1, 3, 16, 16));
            writeTriplet(root.resolve("a"), i, ref, noisy(ref, 0.02, r), noisy(ref, 0.15, r), judges[i]);
            NDArray same = noisy(ref, 0.05, r);
            writeTriplet(root.resolve("b"), i, ref, same, same, 0.7);
        }
        try (NDManager m = manager.newSubManager();
             Loss l2 = lab.loss(LossSpec.of("l2"), m, 0)) {
            TwoAfcExperiment e = new TwoAfcExperiment();
            var params = e.params().resolve("test", new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    "{\"data\": \"" + root + "\", \"size\": 16, \"batch\": 2, \"bootstrap\": 100}"));
            ExperimentResult result = e.run(params, l2, context(m, root));
            assertThat(result.value("score.a")).isCloseTo((1 + 0.75 + 0) / 3, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(result.value("score.b")).isEqualTo(0.5);
            assertThat(result.value("triplets")).isEqualTo(6.0);
            assertThat(result.synthetic()).isFalse();
            assertThat(result.metrics().get("triplets").kind()).isEqualTo(Metric.Kind.COUNT);
            assertThat(result.headline()).isEqualTo("score");
            assertThat(result.tables()).singleElement().satisfies(t -> assertThat(t.rows())
                    .containsExactly(List.of("a", (1 + 0.75 + 0) / 3, t.rows().get(0).get(2), t.rows().get(0).get(3), 3),
                            List.of("b", 0.5, t.rows().get(1).get(2), t.rows().get(1).get(3), 3)));
            assertThat(root.resolve("out/disagreements.png")).isRegularFile();
        }
    }

    @Test
    void aSetPeopleJudgedReportsTheHumanCeilingAndDrawsItAcrossTheScoreBars(@TempDir Path root) throws Exception {
        // Category "a": p0 is the weak noise and people chose it (h = 0): l2 agrees, score 1 on each triplet.
        Random r = new Random(4);
        for (int i = 0; i < 3; i++) {
            NDArray ref = manager.randomUniform(-0.8f, 0.8f, new Shape(1, 3, 16, 16));
            writeTriplet(root.resolve("a"), i, ref, noisy(ref, 0.02, r), noisy(ref, 0.15, r), 0);
        }
        // As plab serve's export writes it; 0.8125 = p^2 + (1-p)^2 at p = 1/4 (three of four raters agreeing).
        Files.writeString(root.resolve(TwoAfcSets.JUDGING_SUMMARY), "{\"judge\": \"human\", \"humanCeiling\": 0.8125}");
        try (NDManager m = manager.newSubManager();
             Loss l2 = lab.loss(LossSpec.of("l2"), m, 0)) {
            TwoAfcExperiment e = new TwoAfcExperiment();
            var params = e.params().resolve("test", new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    "{\"data\": \"" + root + "\", \"size\": 16, \"bootstrap\": 10}"));
            ExperimentResult result = e.run(params, l2, context(m, root));
            assertThat(result.value("score")).isEqualTo(1.0);
            assertThat(result.value("humanCeiling")).isEqualTo(0.8125);
            assertThat(result.metrics().get("humanCeiling").better()).as("a bound, not a loss's merit")
                    .isEqualTo(Metric.Better.NEITHER);
            assertThat(result.details().path("judge").asText()).isEqualTo("human");
            assertThat(result.synthetic()).isFalse();
            assertThat(result.images()).containsEntry("scores against the human ceiling", "ceiling.png");
            java.awt.image.BufferedImage chart = javax.imageio.ImageIO.read(root.resolve("out/ceiling.png").toFile());
            // The dashed ceiling starts at the axis, left of the first bar; the overall bar reaches 1.0.
            int line = CeilingChart.y(0.8125);
            assertThat(List.of(chart.getRGB(46, line - 1), chart.getRGB(46, line), chart.getRGB(46, line + 1)))
                    .contains(CeilingChart.CEILING.getRGB());
            int barX = 44 + (CeilingChart.WIDTH - 44 - 12) / 2 / 2; // the middle of the first of two slots
            assertThat(chart.getRGB(barX, CeilingChart.y(0.5))).isEqualTo(CeilingChart.BAR.getRGB());
            assertThat(chart.getRGB(barX, CeilingChart.y(1.0) + 2)).isEqualTo(CeilingChart.BAR.getRGB());
        }
    }

    @Test
    void aSetWithoutJudgingSummaryHasNoCeiling(@TempDir Path root) throws Exception {
        Random r = new Random(5);
        NDArray ref = manager.randomUniform(-0.8f, 0.8f, new Shape(1, 3, 16, 16));
        writeTriplet(root.resolve("a"), 0, ref, noisy(ref, 0.02, r), noisy(ref, 0.15, r), 0);
        try (NDManager m = manager.newSubManager();
             Loss l2 = lab.loss(LossSpec.of("l2"), m, 0)) {
            TwoAfcExperiment e = new TwoAfcExperiment();
            var params = e.params().resolve("test", new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    "{\"data\": \"" + root + "\", \"size\": 16, \"bootstrap\": 10}"));
            ExperimentResult result = e.run(params, l2, context(m, root));
            assertThat(result.metrics()).doesNotContainKey("humanCeiling");
            assertThat(result.images()).doesNotContainKey("scores against the human ceiling");
        }
    }

    /**
     * 2AFC asks each loss for ref against p0 and p1 in one {@code distancesFrom} call: l2 answers from its
     * feature map, vgg from the reference's activations once, mmd++ from its random features of the
     * reference once (one draw of them per call). Every score equals that of a loss offering only
     * {@code distance}, which 2AFC then calls once on (ref, ref) against (p0, p1), read without the cache.
     */
    @ParameterizedTest
    @ValueSource(strings = {"l2", "vgg", "mmd++"})
    void eachReferenceOnceAndTheDecodedCacheLeaveEveryScoreUnchanged(String id, @TempDir Path root) throws Exception {
        Random r = new Random(5);
        for (int i = 0; i < 10; i++) {
            NDArray ref = manager.randomUniform(-0.8f, 0.8f, new Shape(1, 3, 32, 32));
            writeTriplet(root.resolve("noise"), i, ref, noisy(ref, 0.02 + 0.01 * i, r), noisy(ref, 0.12 - 0.01 * i, r),
                    i % 3 / 2.0);
        }
        try (NDManager m = manager.newSubManager();
             Loss loss = lab.loss(LossSpec.of(id), m, 0);
             Loss same = lab.loss(LossSpec.of(id), m, 0)) {
            Loss pairedOnly = new Loss() {
                @Override
                public LossSpec spec() {
                    return same.spec();
                }

                @Override
                public NDArray distance(NDArray x, NDArray y) {
                    return same.distance(x, y);
                }
            };
            TwoAfcExperiment e = new TwoAfcExperiment();
            var params = e.params().resolve("test", new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    "{\"data\": \"" + root + "\", \"size\": 32, \"batch\": 4, \"bootstrap\": 100}"));
            ExperimentResult once = e.run(params, loss, lab.cell(m, 0, root.resolve("f")).optDataRoot(root)
                    .optCacheFolder(root.resolve("cache")).open());
            ExperimentResult paired = e.run(params, pairedOnly,
                    lab.cell(m, 0, root.resolve("p")).optDataRoot(root).open());
            assertThat(root.resolve("cache/decoded-images")).isNotEmptyDirectory();
            assertThat(once.value("score")).isStrictlyBetween(0.0, 1.0);
            assertThat(once.metrics().keySet()).isEqualTo(paired.metrics().keySet());
            paired.metrics().forEach((name, metric) ->
                    assertThat(once.value(name)).as(name).isEqualTo(metric.value()));
        }
    }

    @Test
    void missingFolderIsAnActionableError(@TempDir Path root) throws Exception {
        TwoAfcExperiment e = new TwoAfcExperiment();
        var params = e.params().resolve("test", new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree("{\"data\": \"nowhere\"}"));
        try (NDManager m = manager.newSubManager();
             Loss l2 = lab.loss(LossSpec.of("l2"), m, 0)) {
            assertThatThrownBy(() -> e.run(params, l2, context(m, root))).isInstanceOf(PlabException.class)
                    .hasMessageContaining("make-2afc");
        }
    }

    private static NDArray noisy(NDArray ref, double sigma, Random r) {
        float[] v = ref.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.max(-1, Math.min(1, v[i] + sigma * r.nextGaussian()));
        }
        return ref.getManager().create(v, ref.getShape());
    }

    private static void writeTriplet(Path dir, int i, NDArray ref, NDArray p0, NDArray p1, double judge) throws Exception {
        String name = String.format("%06d", i);
        Images.writePng(Images.fromTensor(ref), dir.resolve("ref").resolve(name + ".png"));
        Images.writePng(Images.fromTensor(p0), dir.resolve("p0").resolve(name + ".png"));
        Images.writePng(Images.fromTensor(p1), dir.resolve("p1").resolve(name + ".png"));
        Files.createDirectories(dir.resolve("judge"));
        try (OutputStream out = Files.newOutputStream(dir.resolve("judge").resolve(name + ".npy"))) {
            NumpyArrays.writeNpy(manager.create(new float[] {(float) judge}), out);
        }
    }

    static ExperimentContext context(NDManager m, Path root) {
        return lab.cell(m, 0, root.resolve("out")).optDataRoot(root).open();
    }
}
