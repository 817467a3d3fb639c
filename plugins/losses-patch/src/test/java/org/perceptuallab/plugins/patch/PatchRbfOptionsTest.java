package org.perceptuallab.plugins.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.perceptuallab.api.Loss;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.StudyPyramid;

/**
 * patch-rbf's options against the study's PatchRBFLoss and PatchRBFLaplacianLoss recomputed in float64 loops:
 * x and y times scale; every p x p patch of the zero-padded images at the stride; each patch centred on its
 * own mean (per channel, or over all its elements) and divided by its norm where asked; S the squared
 * distance of corresponding patches; the mean over positions of 1 - exp(-S / (2 sigma'^2)) or of
 * 1 - exp(-sqrt(S) / sigma'), sigma' = sigma p^2.
 */
class PatchRbfOptionsTest extends CatalogTest {
    /** The study's floor under its square roots. */
    private static final double FLOOR = 1e-30;

    @ParameterizedTest
    @CsvSource({
        "3, 0.3, true, 2, 2.0, gaussian, none, false",
        "5, 0.2, true, 3, 0.5, laplacian, none, false",
        "3, 0.3, true, 2, 1.0, gaussian, channel_mean, true",
        "3, 0.3, false, 1, 1.0, laplacian, mean, false",
        "4, 0.1, true, 2, 1.5, gaussian, mean, true",
        "3, 0.5, true, 1, 1.0, laplacian, none, true",
        "3, 0.1, true, 1, 1.0, gaussian, none, false"})
    void equalsTheStudysFormula(int p, double sigma, boolean pad, int stride, double scale, String kernel,
                                String normalize, boolean unitNorm) throws Exception {
        Random r = new Random(p * 31L + stride);
        // odd sides that the strides do not divide
        double[][][][] x = StudyPyramid.uniform(r, 2, 3, 13, 17, 1);
        double[][][][] y = StudyPyramid.uniform(r, 2, 3, 13, 17, 1);
        String spec = "{\"loss\": \"patch-rbf\", \"params\": {\"patchSize\": " + p + ", \"sigma\": " + sigma
                + ", \"pad\": " + pad + ", \"stride\": " + stride + ", \"scale\": " + scale + ", \"kernel\": \""
                + kernel + "\", \"normalizePatch\": \"" + normalize + "\", \"ignorePatchNorm\": " + unitNorm + "}}";
        try (Loss loss = lab.loss(spec, manager, 7)) {
            NDArray d = loss.distance(StudyPyramid.batch(manager, x), StudyPyramid.batch(manager, y));
            double[] values = d.toType(DataType.FLOAT64, false).toDoubleArray();
            for (int n = 0; n < x.length; n++) {
                double expected = study(x[n], y[n], p, sigma * p * p, pad ? p / 2 : 0, stride, scale,
                        kernel.equals("gaussian"), normalize, unitNorm);
                assertThat(values[n]).isCloseTo(expected, within(1e-10 * expected));
            }
        }
    }

    private static double study(double[][][] x, double[][][] y, int p, double sigma, int pad, int stride,
                                double scale, boolean gaussian, String normalize, boolean unitNorm) {
        int h = x[0].length;
        int w = x[0][0].length;
        double total = 0;
        int positions = 0;
        for (int top = -pad; top + p <= h + pad; top += stride) {
            for (int left = -pad; left + p <= w + pad; left += stride) {
                double[][][] u = patch(x, top, left, p, scale, normalize, unitNorm);
                double[][][] v = patch(y, top, left, p, scale, normalize, unitNorm);
                double s = 0;
                for (int c = 0; c < u.length; c++) {
                    for (int i = 0; i < p; i++) {
                        for (int j = 0; j < p; j++) {
                            s += (u[c][i][j] - v[c][i][j]) * (u[c][i][j] - v[c][i][j]);
                        }
                    }
                }
                total += gaussian ? 1 - Math.exp(s / (-2 * sigma * sigma))
                        : 1 - Math.exp(-Math.sqrt(Math.max(s, FLOOR)) / sigma);
                positions++;
            }
        }
        return total / positions;
    }

    /** The scaled patch at (top, left), zero outside the image, centred and unit-normed as asked. */
    private static double[][][] patch(double[][][] a, int top, int left, int p, double scale, String normalize,
                                      boolean unitNorm) {
        int channels = a.length;
        double[][][] t = new double[channels][p][p];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < p; j++) {
                    int row = top + i;
                    int col = left + j;
                    boolean inside = row >= 0 && row < a[0].length && col >= 0 && col < a[0][0].length;
                    t[c][i][j] = inside ? scale * a[c][row][col] : 0;
                }
            }
        }
        if (!normalize.equals("none")) {
            double all = 0;
            double[] perChannel = new double[channels];
            for (int c = 0; c < channels; c++) {
                for (double[] row : t[c]) {
                    for (double value : row) {
                        perChannel[c] += value / (p * p);
                        all += value / (channels * p * p);
                    }
                }
            }
            for (int c = 0; c < channels; c++) {
                double mean = normalize.equals("channel_mean") ? perChannel[c] : all;
                for (double[] row : t[c]) {
                    for (int j = 0; j < p; j++) {
                        row[j] -= mean;
                    }
                }
            }
        }
        if (unitNorm) {
            double squares = 0;
            for (double[][] plane : t) {
                for (double[] row : plane) {
                    for (double value : row) {
                        squares += value * value;
                    }
                }
            }
            double norm = Math.sqrt(Math.max(squares, FLOOR));
            for (double[][] plane : t) {
                for (double[] row : plane) {
                    for (int j = 0; j < p; j++) {
                        row[j] /= norm;
                    }
                }
            }
        }
        return t;
    }
}
