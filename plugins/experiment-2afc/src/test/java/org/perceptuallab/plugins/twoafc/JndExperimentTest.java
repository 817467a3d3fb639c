package org.perceptuallab.plugins.twoafc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.ExperimentResult;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.io.Images;
import org.perceptuallab.testkit.CatalogTest;

/** The JND score (mAP of "same" ranked by distance) by hand and on hand-made pairs in the BAPPS JND layout. */
class JndExperimentTest extends CatalogTest {
    @Test
    void averagePrecisionIsTheMeanInterpolatedPrecisionAtEachSamePair() {
        // ranked: same, different, same, different: precision at the two same pairs 1 and 2/3
        assertThat(JndExperiment.averagePrecision(new double[] {0.1, 0.2, 0.3, 0.4}, new double[] {1, 0, 1, 0}))
                .isCloseTo((1 + 2.0 / 3) / 2, within(1e-12));
        // soft judgements: after pair 1 TP 0.5 (precision 0.5, recall 1/3), after pair 2 TP 1.5 (0.75, 1);
        // the precision made non-increasing is 0.75 at both recall steps
        assertThat(JndExperiment.averagePrecision(new double[] {1, 2}, new double[] {0.5, 1}))
                .isCloseTo(0.75, within(1e-12));
        assertThat(JndExperiment.averagePrecision(new double[] {3, 1, 2}, new double[] {0, 1, 1})).isEqualTo(1.0);
        assertThat(JndExperiment.averagePrecision(new double[] {3, 1}, new double[] {0, 0})).isNaN();
    }

    @Test
    void l2RanksUnchangedPairsAsSameAheadOfNoisyOnes(@TempDir Path root) throws Exception {
        // "agree": identical pairs judged same, noisy ones different; "disagree": the judgements reversed
        Random r = new Random(4);
        for (int i = 0; i < 6; i++) {
            NDArray p0 = manager.randomUniform(-0.8f, 0.8f, new Shape(1, 3, 16, 16));
            NDArray p1 = i % 2 == 0 ? p0 : noisy(p0, 0.05 + 0.02 * i, r);
            writePair(root.resolve("agree"), i, p0, p1, i % 2 == 0 ? 1 : 0);
            writePair(root.resolve("disagree"), i, p0, p1, i % 2 == 0 ? 0 : 1);
        }
        JndExperiment e = new JndExperiment();
        var params = e.params().resolve("test", new ObjectMapper().readTree("{\"data\": \"" + root
                + "\", \"size\": 16, \"batch\": 4, \"bootstrap\": 100}"));
        try (NDManager m = manager.newSubManager();
             Loss l2 = lab.loss(LossSpec.of("l2"), m, 0)) {
            ExperimentResult result = e.run(params, l2, lab.cell(m, 0, root.resolve("out")).optDataRoot(root).open());
            assertThat(result.value("map.agree")).isEqualTo(1.0);
            // reversed: the three same pairs come last of six, at precisions 1/4, 2/5, 3/6, made non-increasing: 1/2 each
            assertThat(result.value("map.disagree")).isCloseTo((0.5 + 0.5 + 0.5) / 3, within(1e-12));
            assertThat(result.value("pairs")).isEqualTo(12.0);
            assertThat(result.headline()).isEqualTo("map");
        }
    }

    @Test
    void aPairWithoutItsJudgementNamesTheMissingFile(@TempDir Path root) throws Exception {
        NDArray p0 = manager.randomUniform(-0.8f, 0.8f, new Shape(1, 3, 8, 8));
        writePair(root.resolve("cnn"), 0, p0, p0, 1);
        Files.delete(root.resolve("cnn/same/000000.npy"));
        JndExperiment e = new JndExperiment();
        var params = e.params().resolve("test", new ObjectMapper().readTree("{\"data\": \"" + root + "\"}"));
        try (NDManager m = manager.newSubManager();
             Loss l2 = lab.loss(LossSpec.of("l2"), m, 0)) {
            assertThatThrownBy(() -> e.run(params, l2, lab.cell(m, 0, root.resolve("out")).optDataRoot(root).open()))
                    .isInstanceOf(PlabException.class).hasMessageContaining("same/000000.npy")
                    .hasMessageContaining("needs p1/NAME.png and same/NAME.npy");
        }
    }

    private static NDArray noisy(NDArray x, double sigma, Random r) {
        float[] v = x.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.max(-1, Math.min(1, v[i] + sigma * r.nextGaussian()));
        }
        return x.getManager().create(v, x.getShape());
    }

    private static void writePair(Path dir, int i, NDArray p0, NDArray p1, double same) throws Exception {
        String name = String.format("%06d", i);
        Images.writePng(Images.fromTensor(p0), dir.resolve("p0").resolve(name + ".png"));
        Images.writePng(Images.fromTensor(p1), dir.resolve("p1").resolve(name + ".png"));
        TwoAfcGenerator.writeScalarNpy(dir.resolve("same").resolve(name + ".npy"), (float) same);
    }
}
