package org.perceptuallab.plugins.imagemean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.ExperimentContext;
import org.perceptuallab.api.ExperimentResult;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.Fixtures;

/** Start modes, resampling, and whole runs (single- and multi-scale) on crops of a real photo. */
class ImageMeanExperimentTest extends CatalogTest {
    static Path photo() {
        return Fixtures.photo("astronaut.png");
    }

    @Test
    void startModesBuildTheDocumentedImages() {
        List<Planes> targets = List.of(new Planes(1, 2, 4, new float[] {0, 0, 0, 0, 0, 0, 0, 0}),
                new Planes(1, 2, 4, new float[] {1, 1, 1, 1, 0.5f, 0.5f, 0.5f, 0.5f}));
        assertThat(StartImage.build("mean", targets, 1, 0, 0).v()).containsExactly(0.5f, 0.5f, 0.5f, 0.5f,
                0.25f, 0.25f, 0.25f, 0.25f);
        assertThat(StartImage.build("gray", targets, 1, 0, 0).v()).containsOnly(0.375f);
        assertThat(StartImage.build("zeros", targets, 1, 0, 0).v()).containsOnly(0f);
        assertThat(StartImage.build("split", targets, 1, 0, 0).v()).containsExactly(0, 0, 1, 1, 0, 0, 0.5f, 0.5f);
        Planes noisy = StartImage.build("zeros+noise", targets, 1, 0.1, 0);
        assertThat(noisy.v()).isNotEqualTo(new float[8]).isEqualTo(StartImage.build("zeros+noise", targets, 1, 0.1, 0).v());
        Planes blurred = StartImage.build("split+blur", targets, 1, 0, 0);
        assertThat(blurred.v()[1]).isGreaterThan(0f).isLessThan(1f);
        assertThatThrownBy(() -> StartImage.check("mean+sharp")).isInstanceOf(PlabException.class)
                .hasMessageContaining("'sharp'").hasMessageContaining("startMode");
    }

    @Test
    void resizeKeepsAFlatImageFlatAndUpsamplesSmoothly() {
        Planes flat = new Planes(1, 3, 3, new float[] {0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f});
        float[] resized = flat.resize(7, 5).v();
        assertThat(resized).hasSize(35);
        for (float v : resized) {
            assertThat(v).isCloseTo(0.2f, org.assertj.core.data.Offset.offset(1e-6f));
        }
        Planes ramp = new Planes(1, 1, 2, new float[] {0, 1});
        assertThat(ramp.resize(1, 4).v()).containsExactly(0f, 0.25f, 0.75f, 1f);
    }

    @Test
    void singleScaleL2RunLowersTheMeanDistanceAndWritesItsFiles(@TempDir Path out) throws Exception {
        ExperimentResult r = run(out, "{\"size\": 16, \"crops\": 4, \"jitter\": 3, \"steps\": 60, \"lr\": 0.02,"
                + " \"startMode\": \"zeros+noise\"}");
        assertThat(r.value("distanceEnd")).isLessThan(0.6 * r.value("distanceStart"));
        assertThat(r.curves().get("loss")).hasSize(60);
        assertThat(r.images()).containsKeys("result", "start", "figure", "targets");
        r.images().values().forEach(f -> assertThat(out.resolve(f)).isRegularFile());
    }

    @Test
    void multiScaleRunsEveryLevelCoarseToFine(@TempDir Path out) throws Exception {
        List<Long> sides = new ArrayList<>();
        ExperimentResult r = run(out, "{\"size\": 20, \"crops\": 3, \"multiScale\": true, \"levels\": 3,"
                + " \"levelSteps\": 15, \"levelLr\": 0.02, \"startMode\": \"blur\"}", sides);
        assertThat(r.curves().get("loss")).hasSize(45);
        assertThat(r.details().path("imageSize").asInt()).isEqualTo(20);
        assertThat(r.value("distanceEnd")).isLessThan(r.value("distanceStart"));
        // The sides the loss saw, as runs of equal sides: the optimisation's runs (15 steps or more each) are the
        // levels 20 * 0.69^2, 20 * 0.69 and 20, in that order.
        List<long[]> runs = new ArrayList<>();
        for (long side : sides) {
            if (runs.isEmpty() || runs.get(runs.size() - 1)[0] != side) {
                runs.add(new long[] {side, 0});
            }
            runs.get(runs.size() - 1)[1]++;
        }
        assertThat(runs.stream().filter(run -> run[1] >= 15).map(run -> run[0]).toList()).as("levels, in order")
                .containsExactly(10L, 14L, 20L);
    }

    private static ExperimentResult run(Path out, String json) throws Exception {
        return run(out, json, new ArrayList<>());
    }

    /** Runs the experiment under l2, adding the side of every x the loss is given to {@code sides}. */
    private static ExperimentResult run(Path out, String json, List<Long> sides) throws Exception {
        ImageMeanExperiment e = new ImageMeanExperiment();
        var given = (com.fasterxml.jackson.databind.node.ObjectNode) new ObjectMapper().readTree(json);
        given.put("data", photo().toAbsolutePath().toString());
        try (NDManager m = manager.newSubManager();
             Loss l2 = lab.loss(LossSpec.of("l2"), m, 0)) {
            Loss recording = new Loss() {
                @Override
                public LossSpec spec() {
                    return l2.spec();
                }

                @Override
                public NDArray distance(NDArray x, NDArray y) {
                    sides.add(x.getShape().get(3));
                    return l2.distance(x, y);
                }
            };
            return e.run(e.params().resolve("test", given), recording, context(m, out));
        }
    }

    static ExperimentContext context(NDManager m, Path out) {
        return lab.cell(m, 1, out).open();
    }
}
