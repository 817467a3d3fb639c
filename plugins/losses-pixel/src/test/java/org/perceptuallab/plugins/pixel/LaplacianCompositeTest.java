package org.perceptuallab.plugins.pixel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.Random;
import java.util.function.ToDoubleBiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.InputBound;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.StudyPyramid;

/**
 * The {@code laplacian} composite against the study's LaplacyanLoss recomputed in float64 ({@link StudyPyramid}),
 * and the input range its inner losses are checked against.
 */
class LaplacianCompositeTest extends CatalogTest {
    /** 18 x 22 so that the 2 x 2 pooling floors odd sides (9 -> 4, 11 -> 5). */
    private static final int H = 18;
    private static final int W = 22;

    @ParameterizedTest
    @CsvSource({"4^j, 0", "4^-j, 1", "4^(levels-j), 2", "1, 3"})
    void laplacianOfL1EqualsTheStudysFormulaInEachWeightingMode(String weighting, int studyMode) throws Exception {
        double[][][][] x = StudyPyramid.uniform(new Random(1), 2, 3, H, W, 0.9);
        double[][][][] y = StudyPyramid.uniform(new Random(2), 2, 3, H, W, 0.9);
        int levels = 3;
        try (Loss loss = create("{\"loss\": \"laplacian\", \"params\": {\"of\": {\"loss\": \"l1\"}, \"levels\": 3,"
                + " \"weighting\": \"" + weighting + "\"}}")) {
            double[] d = values(loss.distance(batch(x), batch(y)));
            for (int n = 0; n < x.length; n++) {
                double expected = study(x[n], y[n], levels, 5, 1.0, studyMode, LaplacianCompositeTest::l1);
                assertThat(d[n]).isCloseTo(expected, within(1e-10 * expected));
            }
        }
    }

    @Test
    void innerLossesTakeTheBandsUnscaledUpToTwo() throws Exception {
        // Isolated +1 dots on -1 and the opposite: the finest bands reach about +-1.8 at the dots, and l2
        // squares them, so any rescaling of the bands would change the value.
        double[][][][] x = dots(1);
        double[][][][] y = dots(-1);
        try (Loss loss = create("{\"loss\": \"laplacian\", \"params\": {\"of\": {\"loss\": \"l2\"}, \"levels\": 2,"
                + " \"kernelSize\": 3, \"sigma\": 2}}")) {
            double d = values(loss.distance(batch(x), batch(y)))[0];
            List<double[][][]> bands = StudyPyramid.bands(x[0], 2, StudyPyramid.kernel(3, 2));
            assertThat(max(bands.get(0))).isGreaterThan(1.5);
            assertThat(d).isCloseTo(study(x[0], y[0], 2, 3, 2, 0, LaplacianCompositeTest::l2), within(1e-10 * d));
        }
    }

    @Test
    void lap1IsTheLaplacianOfL1PlusL2() throws Exception {
        double[][][][] x = StudyPyramid.uniform(new Random(3), 2, 3, H, W, 1);
        double[][][][] y = StudyPyramid.uniform(new Random(4), 2, 3, H, W, 1);
        try (Loss lap1 = create("{\"loss\": \"lap1\"}");
             Loss sum = create("{\"loss\": \"sum\", \"params\": {\"terms\": [{\"weight\": 1, \"loss\": \"l2\"},"
                     + " {\"weight\": 1, \"loss\": \"laplacian\", \"params\": {\"of\": {\"loss\": \"l1\"},"
                     + " \"sigma\": 2}}]}}")) {
            double[] a = values(lap1.distance(batch(x), batch(y)));
            double[] b = values(sum.distance(batch(x), batch(y)));
            for (int n = 0; n < a.length; n++) {
                assertThat(a[n]).isCloseTo(b[n], within(1e-12 * a[n]));
            }
        }
    }

    @Test
    void aContextWidenedForBandsAcceptsTwoAndStillRefusesMore() {
        double[][][][] two = checkerboard(2);
        double[][][][] zero = checkerboard(0);
        LossSpec l1 = LossSpec.of("l1");
        try (Loss wide = lab.losses().create(l1, InputBound.widened(lab.lossContext(manager, 7), 2));
             Loss plain = lab.losses().create(l1, lab.lossContext(manager, 7))) {
            assertThat(values(wide.distance(batch(two), batch(zero)))[0]).isEqualTo(2.0);
            assertThatThrownBy(() -> plain.distance(batch(two), batch(zero))).isInstanceOf(PlabException.class)
                    .hasMessageContaining("outside [-1, 1]");
            assertThatThrownBy(() -> wide.distance(batch(checkerboard(2.5)), batch(zero)))
                    .isInstanceOf(PlabException.class).hasMessageContaining("outside [-2.0, 2.0]");
        }
    }

    @Test
    void theCompositeItselfTakesImagesInMinusOneToOne() throws Exception {
        try (Loss loss = create("{\"loss\": \"laplacian\", \"params\": {\"of\": {\"loss\": \"l1\"}}}")) {
            assertThatThrownBy(() -> loss.distance(batch(checkerboard(1.5)), batch(checkerboard(0))))
                    .isInstanceOf(PlabException.class).hasMessageContaining("loss 'laplacian'")
                    .hasMessageContaining("outside [-1, 1]");
        }
    }

    @Test
    void refusesImagesTooSmallForItsLevelsAndAnEvenKernel() {
        assertThatThrownBy(() -> create("{\"loss\": \"laplacian\", \"params\": {\"of\": {\"loss\": \"l1\"},"
                + " \"kernelSize\": 4}}")).isInstanceOf(PlabException.class).hasMessageContaining("must be odd");
        try (Loss loss = create("{\"loss\": \"laplacian\", \"params\": {\"of\": {\"loss\": \"l1\"}, \"levels\": 5}}")) {
            assertThatThrownBy(() -> loss.distance(batch(checkerboard(1)), batch(checkerboard(0))))
                    .isInstanceOf(PlabException.class).hasMessageContaining("5 levels need images of at least 32");
        }
    }

    /** The study's LaplacyanLoss: sum over bands j of w(j) * metric(band_j(x), band_j(y)). */
    private static double study(double[][][] x, double[][][] y, int levels, int kernelSize, double sigma, int mode,
                                ToDoubleBiFunction<double[][][], double[][][]> metric) {
        double[][] k = StudyPyramid.kernel(kernelSize, sigma);
        List<double[][][]> bx = StudyPyramid.bands(x, levels, k);
        List<double[][][]> by = StudyPyramid.bands(y, levels, k);
        double total = 0;
        for (int j = 0; j <= levels; j++) {
            double weight = switch (mode) {
                case 0 -> Math.pow(2, 2 * j);
                case 1 -> Math.pow(2, -2 * j);
                case 2 -> Math.pow(2, 2 * (levels - j));
                default -> 1;
            };
            total += metric.applyAsDouble(bx.get(j), by.get(j)) * weight;
        }
        return total;
    }

    private static double l1(double[][][] a, double[][][] b) {
        return meanOf(a, b, 1);
    }

    private static double l2(double[][][] a, double[][][] b) {
        return meanOf(a, b, 2);
    }

    private static double meanOf(double[][][] a, double[][][] b, int power) {
        double sum = 0;
        int count = 0;
        for (int c = 0; c < a.length; c++) {
            for (int i = 0; i < a[0].length; i++) {
                for (int j = 0; j < a[0][0].length; j++) {
                    sum += Math.pow(Math.abs(a[c][i][j] - b[c][i][j]), power);
                    count++;
                }
            }
        }
        return sum / count;
    }

    private static double max(double[][][] a) {
        double m = Double.NEGATIVE_INFINITY;
        for (double[][] plane : a) {
            for (double[] row : plane) {
                for (double v : row) {
                    m = Math.max(m, v);
                }
            }
        }
        return m;
    }

    private static double[][][][] checkerboard(double value) {
        double[][][][] a = new double[1][3][H][W];
        for (double[][] plane : a[0]) {
            for (int i = 0; i < H; i++) {
                for (int j = 0; j < W; j++) {
                    plane[i][j] = (i + j) % 2 == 0 ? value : -value;
                }
            }
        }
        return a;
    }

    /** value every third pixel in both directions, -value elsewhere. */
    private static double[][][][] dots(double value) {
        double[][][][] a = new double[1][3][H][W];
        for (double[][] plane : a[0]) {
            for (int i = 0; i < H; i++) {
                for (int j = 0; j < W; j++) {
                    plane[i][j] = i % 3 == 0 && j % 3 == 0 ? value : -value;
                }
            }
        }
        return a;
    }

    private static NDArray batch(double[][][][] a) {
        return StudyPyramid.batch(manager, a);
    }

    private static Loss create(String json) {
        return lab.loss(json, manager, 7);
    }

    private static double[] values(NDArray d) {
        return d.toType(DataType.FLOAT64, false).toDoubleArray();
    }
}
