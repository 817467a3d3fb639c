package org.perceptuallab.plugins.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.perceptuallab.api.Loss;
import org.perceptuallab.testkit.CatalogTest;

/**
 * patch-mmd with the SSIM kernel against its formula recomputed in float64 on plain arrays: every p x p patch
 * at the stride, the SSIM index of two patches under a p x p Gaussian window (sigma 1.5) as the kernel, biased
 * MMD^2 = mean Kxx + mean Kyy - 2 mean Kxy.
 */
class PatchMmdSsimTest extends CatalogTest {
    private static final int N = 2;
    private static final int C = 3;
    private static final int SIDE = 11;
    private static final int P = 5;
    private static final int STRIDE = 2;

    @Test
    void equalsTheBiasedMmdOfTheSsimKernelRecomputedInFloat64() throws Exception {
        Random r = new Random(12);
        double[] x = new double[N * C * SIDE * SIDE];
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = 1.6 * r.nextDouble() - 0.8;
            y[i] = Math.max(-1, Math.min(1, x[i] + 0.3 * r.nextGaussian()));
        }
        try (Loss loss = create()) {
            double[] got = loss.distance(tensor(x), tensor(y)).toDoubleArray();
            double[] w = window();
            for (int n = 0; n < N; n++) {
                double[][][] px = patches(x, n);
                double[][][] py = patches(y, n);
                double expected = meanKernel(px, px, w) + meanKernel(py, py, w) - 2 * meanKernel(px, py, w);
                assertThat(got[n]).as("pair %d", n).isCloseTo(expected, within(1e-5 * expected));
            }
        }
    }

    @Test
    void isZeroAtXEqualsYAndPositiveForABrighterCopy() throws Exception {
        Random r = new Random(13);
        double[] x = new double[N * C * SIDE * SIDE];
        double[] brighter = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = 1.2 * r.nextDouble() - 0.8;
            brighter[i] = x[i] + 0.2;
        }
        try (Loss loss = create()) {
            assertThat(loss.distance(tensor(x), tensor(x)).toDoubleArray()).containsOnly(0.0);
            assertThat(Arrays.stream(loss.distance(tensor(x), tensor(brighter)).toDoubleArray()).min().orElseThrow())
                    .isGreaterThan(1e-4);
        }
    }

    private static Loss create() {
        return lab.loss("{\"loss\": \"patch-mmd\", \"params\": {\"kernel\": \"ssim\", \"patchSize\": " + P
                + ", \"stride\": " + STRIDE + "}}", manager, 7);
    }

    /** The mean over all pairs of the SSIM of patches a_i and b_j, each (C, P*P) in [-1, 1]. */
    private static double meanKernel(double[][][] a, double[][][] b, double[] w) {
        double sum = 0;
        for (double[][] pa : a) {
            for (double[][] pb : b) {
                double k = 0;
                for (int c = 0; c < C; c++) {
                    double muA = 0;
                    double muB = 0;
                    for (int t = 0; t < P * P; t++) {
                        muA += w[t] * (pa[c][t] + 1) / 2;
                        muB += w[t] * (pb[c][t] + 1) / 2;
                    }
                    double varA = 0;
                    double varB = 0;
                    double cov = 0;
                    for (int t = 0; t < P * P; t++) {
                        double u = (pa[c][t] + 1) / 2 - muA;
                        double v = (pb[c][t] + 1) / 2 - muB;
                        varA += w[t] * u * u;
                        varB += w[t] * v * v;
                        cov += w[t] * u * v;
                    }
                    double c1 = 0.01 * 0.01;
                    double c2 = 0.03 * 0.03;
                    k += (2 * muA * muB + c1) / (muA * muA + muB * muB + c1) * (2 * cov + c2) / (varA + varB + c2) / C;
                }
                sum += k;
            }
        }
        return sum / (a.length * b.length);
    }

    /** exp(-(i - 2)^2 / (2 1.5^2)) exp(-(j - 2)^2 / (2 1.5^2)), normalised to sum 1. */
    private static double[] window() {
        double[] w = new double[P * P];
        double total = 0;
        for (int i = 0; i < P; i++) {
            for (int j = 0; j < P; j++) {
                w[i * P + j] = Math.exp(-((i - P / 2) * (i - P / 2) + (j - P / 2) * (j - P / 2)) / (2 * 1.5 * 1.5));
                total += w[i * P + j];
            }
        }
        for (int t = 0; t < w.length; t++) {
            w[t] /= total;
        }
        return w;
    }

    /** Image n's patches at the stride, each (C, P*P) row-major. */
    private static double[][][] patches(double[] flat, int n) {
        int per = (SIDE - P) / STRIDE + 1;
        double[][][] out = new double[per * per][C][P * P];
        for (int i = 0; i < per; i++) {
            for (int j = 0; j < per; j++) {
                for (int c = 0; c < C; c++) {
                    for (int u = 0; u < P; u++) {
                        for (int v = 0; v < P; v++) {
                            out[i * per + j][c][u * P + v] =
                                    flat[((n * C + c) * SIDE + i * STRIDE + u) * SIDE + j * STRIDE + v];
                        }
                    }
                }
            }
        }
        return out;
    }

    private static NDArray tensor(double[] v) {
        return manager.create(v, new Shape(N, C, SIDE, SIDE));
    }
}
