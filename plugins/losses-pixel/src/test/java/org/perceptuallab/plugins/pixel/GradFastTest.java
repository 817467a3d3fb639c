package org.perceptuallab.plugins.pixel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.testkit.CatalogTest;

/**
 * grad-fast against the study's FastGradLoss formula recomputed in float64 with loops: grey = channel mean,
 * valid correlations with ky = [1 1 1; 0 0 0; -1 -1 -1] and kx = [1 0 -1; 1 0 -1; 1 0 -1], then
 * (mean |kx*gx - kx*gy| + mean |ky*gx - ky*gy|) / 2.
 */
class GradFastTest extends CatalogTest {
    private static final double[][] KX = {{1, 0, -1}, {1, 0, -1}, {1, 0, -1}};
    private static final double[][] KY = {{1, 1, 1}, {0, 0, 0}, {-1, -1, -1}};

    @Test
    void equalsThePrewittFormulaRecomputedInFloat64OnNonSquareImages() throws Exception {
        Random r = new Random(4);
        int n = 2;
        int c = 3;
        int h = 9;
        int w = 13;
        double[] x = uniform(r, n * c * h * w);
        double[] y = uniform(r, n * c * h * w);
        try (Loss loss = lab.loss("{\"loss\": \"grad-fast\"}", manager, 7)) {
            NDArray d = loss.distance(manager.create(x, new Shape(n, c, h, w)), manager.create(y, new Shape(n, c, h, w)));
            double[] got = d.toDoubleArray();
            for (int i = 0; i < n; i++) {
                double[][] gx = grey(x, i, c, h, w);
                double[][] gy = grey(y, i, c, h, w);
                double expected = (meanAbsDifference(gx, gy, KX) + meanAbsDifference(gx, gy, KY)) / 2;
                assertThat(got[i]).as("pair %d", i).isCloseTo(expected, within(1e-12 * expected));
            }
        }
    }

    @Test
    void isZeroForImagesThatDifferByAConstant() throws Exception {
        try (Loss loss = lab.loss("{\"loss\": \"grad-fast\"}", manager, 7)) {
            double[] x = uniform(new Random(5), 3 * 8 * 8);
            double[] shifted = x.clone();
            for (int i = 0; i < shifted.length; i++) {
                shifted[i] = x[i] * 0.5 + 0.2;
            }
            NDArray a = manager.create(x, new Shape(1, 3, 8, 8)).mul(0.5);
            NDArray b = manager.create(shifted, new Shape(1, 3, 8, 8));
            assertThat(loss.distance(a, b).toDoubleArray()[0]).isCloseTo(0, within(1e-12));
        }
    }

    @Test
    void rejectsImagesSmallerThanItsKernelNamingTheLoss() throws Exception {
        try (Loss loss = lab.loss("{\"loss\": \"grad-fast\"}", manager, 7)) {
            NDArray tiny = manager.zeros(new Shape(1, 3, 2, 8));
            assertThatThrownBy(() -> loss.distance(tiny, tiny)).isInstanceOf(PlabException.class)
                    .hasMessageContaining("loss 'grad-fast'").hasMessageContaining("at least 3x3");
        }
    }

    private static double meanAbsDifference(double[][] gx, double[][] gy, double[][] k) {
        int h = gx.length - 2;
        int w = gx[0].length - 2;
        double sum = 0;
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                double a = 0;
                double b = 0;
                for (int u = 0; u < 3; u++) {
                    for (int v = 0; v < 3; v++) {
                        a += k[u][v] * gx[i + u][j + v];
                        b += k[u][v] * gy[i + u][j + v];
                    }
                }
                sum += Math.abs(a - b);
            }
        }
        return sum / (h * w);
    }

    private static double[][] grey(double[] flat, int image, int c, int h, int w) {
        double[][] g = new double[h][w];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    g[i][j] += flat[((image * c + ch) * h + i) * w + j] / c;
                }
            }
        }
        return g;
    }

    private static double[] uniform(Random r, int size) {
        double[] v = new double[size];
        for (int i = 0; i < v.length; i++) {
            v[i] = 1.8 * r.nextDouble() - 0.9;
        }
        return v;
    }
}
