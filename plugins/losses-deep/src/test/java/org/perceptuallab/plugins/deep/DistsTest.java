package org.perceptuallab.plugins.deep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.TestLab;
import org.perceptuallab.testkit.TorchZipFiles;
import org.perceptuallab.testkit.TorchZipFiles.View;

/**
 * DISTS against a plain float64 re-implementation of Ding et al.'s formula (L2-pooled VGG16, per-channel
 * texture and structure terms, published-style alpha/beta), on random trunk weights and alpha/beta that the
 * test writes under the published file names of a weights folder.
 */
class DistsTest extends CatalogTest {
    private static final int[][] BLOCKS = {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};
    private static final double[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final double[] STD = {0.229f, 0.224f, 0.225f};
    @TempDir
    static Path weightsDir;
    /** Per conv layer in order: weights (O, C, 3, 3) flattened, and biases; float values. */
    private static final Map<Integer, float[]> CONV_WEIGHTS = new LinkedHashMap<>();
    private static final Map<Integer, float[]> CONV_BIASES = new LinkedHashMap<>();
    private static float[] alpha;
    private static float[] beta;
    /** The default configuration, the published files found by name in the weights folder; read once. */
    private static Loss published;

    @BeforeAll
    static void publishedFilesOfRandomValues() throws IOException {
        Random r = new Random(2020);
        Map<String, View> trunk = new LinkedHashMap<>();
        int index = 0;
        int in = 3;
        for (int[] block : BLOCKS) {
            for (int out : block) {
                float[] w = new float[out * in * 9];
                double scale = Math.sqrt(2.0 / (in * 9));
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) (r.nextGaussian() * scale);
                }
                float[] b = new float[out];
                for (int i = 0; i < out; i++) {
                    b[i] = (float) (0.1 * r.nextGaussian());
                }
                CONV_WEIGHTS.put(index, w);
                CONV_BIASES.put(index, b);
                trunk.put("features." + index + ".weight", view(w, out, in, 3, 3));
                trunk.put("features." + index + ".bias", view(b, out));
                index += 2;
                in = out;
            }
            index++;
        }
        TorchZipFiles.writeViews(weightsDir.resolve(Architecture.VGG16.publishedFile()), trunk);
        alpha = new float[Dists.TOTAL_CHANNELS];
        beta = new float[Dists.TOTAL_CHANNELS];
        for (int i = 0; i < alpha.length; i++) {
            alpha[i] = (float) r.nextDouble();
            beta[i] = (float) (2 * r.nextDouble());
        }
        writeAlphaBeta(weightsDir.resolve(Dists.PUBLISHED_ALPHA_BETA), alpha, beta);
        published = TestLosses.create(manager, "dists", "{}", weightsDir);
    }

    @AfterAll
    static void closeTheLoss() {
        published.close();
    }

    @Test
    void thePublishedSetupEqualsTheFormulaRecomputedInFloat64() {
        Random r = new Random(7);
        int side = 11;
        double[][][][] images = new double[4][][][];
        for (int k = 0; k < images.length; k++) {
            images[k] = randomImage(r, side);
        }
        Loss loss = published;
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = batch(scope, images[0], images[1]);
            NDArray y = batch(scope, images[2], images[3]);
            double[] d = loss.distance(x, y).toDoubleArray();
            for (int n = 0; n < 2; n++) {
                double expected = dists(images[n], images[n + 2]);
                assertThat(expected).isBetween(0.01, 1.0);
                assertThat(d[n]).isCloseTo(expected, within(1e-9));
            }
        }
    }

    /** Near x = y the terms are ratios of nearly equal small numbers: where a careless form loses the gradient. */
    @Test
    void gradientMatchesFiniteDifferencesNearXEqualsY() {
        Random r = new Random(8);
        double[][][] a = randomImage(r, 8);
        double[][][] b = new double[3][8][8];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 8; i++) {
                for (int j = 0; j < 8; j++) {
                    b[c][i][j] = Math.max(-1, Math.min(1, a[c][i][j] + 0.02 * r.nextGaussian()));
                }
            }
        }
        Loss loss = published;
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = batch(scope, a);
            NDArray y = batch(scope, b);
            assertThat(loss.distance(x, y).getDouble(0)).isBetween(1e-6, 0.1);
            assertThat(TestLab.gradientError(loss, x, y, 6, 1e-6, 13)).isLessThan(1e-4);
        }
    }

    /** Constant maps have zero variance and, after dead ReLUs, zero L2-pool windows: c2 and 1e-12 keep it finite. */
    @Test
    void valuesAndGradientsStayFiniteAtXEqualsYAndOnConstantImages() {
        Loss loss = published;
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = batch(scope, randomImage(new Random(9), 8));
            NDArray grey = scope.full(new Shape(1, 3, 8, 8), 0.2f, DataType.FLOAT64);
            NDArray black = scope.full(new Shape(1, 3, 8, 8), -1f, DataType.FLOAT64);
            assertThat(loss.distance(x, x.duplicate()).getDouble(0)).isCloseTo(0, within(1e-12));
            assertThat(TestLab.hardInputProblems(loss, x, x.duplicate(), "x = y")).isEmpty();
            assertThat(TestLab.hardInputProblems(loss, grey, black, "grey against black")).isEmpty();
            assertThat(TestLab.hardInputProblems(loss, black, black.duplicate(), "black = black")).isEmpty();
            assertThat(TestLab.hardInputProblems(loss, grey, x, "grey against noise")).isEmpty();
        }
    }

    @Test
    void missingPublishedFilesAreEachNamedWithWhereToPutThem(@TempDir Path empty) {
        assertThatThrownBy(() -> TestLosses.create(manager, "dists", "{}", empty))
                .isInstanceOf(PlabException.class).hasMessageContaining("loss 'dists'")
                .hasMessageContaining(empty.resolve("vgg16-397923af.pth").toAbsolutePath().toString())
                .hasMessageContaining("https://download.pytorch.org/models/vgg16-397923af.pth")
                .hasMessageContaining(empty.resolve("dists/weights.pt").toAbsolutePath().toString())
                .hasMessageContaining("DISTS_pytorch/weights.pt");
        assertThatThrownBy(() -> TestLosses.create(manager, "dists", "{\"weights\": \"random\"}", empty))
                .isInstanceOf(PlabException.class).hasMessageContaining("'random'")
                .hasMessageContaining("alphaBeta").hasMessageContaining("'uniform'");
    }

    @Test
    void randomWeightsWithUniformAlphaBetaRunWithoutAnyFileAndTheSpecSaysSo() {
        try (Loss loss = TestLosses.create(manager, "dists", "{\"weights\": \"random\", \"alphaBeta\": \"uniform\"}",
                null); NDManager scope = manager.newSubManager()) {
            Random r = new Random(10);
            double d = loss.distance(batch(scope, randomImage(r, 8)), batch(scope, randomImage(r, 8))).getDouble(0);
            assertThat(d).isBetween(0.0, 1.0).isPositive();
            assertThat(loss.spec().params().path("weights").asText()).isEqualTo("random");
            assertThat(loss.spec().params().path("alphaBeta").asText()).isEqualTo("uniform");
        }
    }

    @Test
    void alphaBetaOfTheWrongShapeOrSignIsRefusedNamingTheTensor(@TempDir Path dir) throws IOException {
        Path trunkFile = weightsDir.resolve(Architecture.VGG16.publishedFile());
        Path small = dir.resolve("small.pt");
        writeAlphaBeta(small, new float[10], new float[10]);
        assertThatThrownBy(() -> TestLosses.create(manager, "dists", "{\"weights\": \"" + trunkFile
                + "\", \"alphaBeta\": \"" + small + "\"}", null))
                .isInstanceOf(PlabException.class).hasMessageContaining("'alpha'").hasMessageContaining("1475");
        Path negative = dir.resolve("negative.pt");
        float[] b = beta.clone();
        b[100] = -0.5f;
        writeAlphaBeta(negative, alpha, b);
        assertThatThrownBy(() -> TestLosses.create(manager, "dists", "{\"weights\": \"" + trunkFile
                + "\", \"alphaBeta\": \"" + negative + "\"}", null))
                .isInstanceOf(PlabException.class).hasMessageContaining("'beta'").hasMessageContaining("-0.5");
    }

    private static void writeAlphaBeta(Path file, float[] a, float[] b) throws IOException {
        Files.createDirectories(file.getParent());
        Map<String, View> tensors = new LinkedHashMap<>();
        tensors.put("alpha", view(a, 1, a.length, 1, 1));
        tensors.put("beta", view(b, 1, b.length, 1, 1));
        TorchZipFiles.writeViews(file, tensors);
    }

    private static View view(float[] values, long... shape) {
        long[] strides = new long[shape.length];
        long stride = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = stride;
            stride *= shape[i];
        }
        return new View(shape, strides, 0, values);
    }

    // ---- the formula in float64 ----

    /** D = 1 - sum over the 1475 channels of (alpha t + beta s) / sum(alpha + beta). */
    private static double dists(double[][][] x, double[][][] y) {
        double[][][][] fx = stages(x);
        double[][][][] fy = stages(y);
        double weighted = 0;
        double total = 0;
        int channel = 0;
        for (int k = 0; k < fx.length; k++) {
            for (int c = 0; c < fx[k].length; c++) {
                double[][] a = fx[k][c];
                double[][] b = fy[k][c];
                double ma = mean(a, a, 0, 0, false);
                double mb = mean(b, b, 0, 0, false);
                double va = mean(a, a, ma, ma, true);
                double vb = mean(b, b, mb, mb, true);
                double cov = mean(a, b, ma, mb, true);
                double t = (2 * ma * mb + Dists.C1) / (ma * ma + mb * mb + Dists.C1);
                double s = (2 * cov + Dists.C2) / (va + vb + Dists.C2);
                weighted += alpha[channel] * t + beta[channel] * s;
                total += alpha[channel] + beta[channel];
                channel++;
            }
        }
        assertThat(channel).isEqualTo(Dists.TOTAL_CHANNELS);
        return 1 - weighted / total;
    }

    /** mean of a (or, when centred, of (a - ma)(b - mb)). */
    private static double mean(double[][] a, double[][] b, double ma, double mb, boolean centred) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                sum += centred ? (a[i][j] - ma) * (b[i][j] - mb) : a[i][j];
            }
        }
        return sum / (a.length * a[0].length);
    }

    /** The image in [0, 1], then relu1_2, relu2_2, relu3_3, relu4_3, relu5_3 with L2 pooling between blocks. */
    private static double[][][][] stages(double[][][] image) {
        double[][][] unit = new double[3][][];
        double[][][] h = new double[3][][];
        for (int c = 0; c < 3; c++) {
            int side = image[c].length;
            unit[c] = new double[side][side];
            h[c] = new double[side][side];
            for (int i = 0; i < side; i++) {
                for (int j = 0; j < side; j++) {
                    unit[c][i][j] = (image[c][i][j] + 1) / 2;
                    h[c][i][j] = (unit[c][i][j] - MEAN[c]) / STD[c];
                }
            }
        }
        double[][][][] out = new double[6][][][];
        out[0] = unit;
        int index = 0;
        for (int b = 0; b < BLOCKS.length; b++) {
            if (b > 0) {
                h = l2Pool(h);
            }
            for (int j = 0; j < BLOCKS[b].length; j++) {
                h = convRelu(h, CONV_WEIGHTS.get(index), CONV_BIASES.get(index));
                index += 2;
            }
            index++;
            out[b + 1] = h;
        }
        return out;
    }

    /** 3 x 3 convolution, zero padding 1, plus bias, then max(0, .). */
    private static double[][][] convRelu(double[][][] in, float[] w, float[] bias) {
        int channels = in.length;
        int side = in[0].length;
        int outs = bias.length;
        double[][][] out = new double[outs][side][side];
        for (int o = 0; o < outs; o++) {
            for (int i = 0; i < side; i++) {
                for (int j = 0; j < side; j++) {
                    double sum = bias[o];
                    for (int c = 0; c < channels; c++) {
                        for (int u = 0; u < 3; u++) {
                            int ii = i + u - 1;
                            if (ii < 0 || ii >= side) {
                                continue;
                            }
                            for (int v = 0; v < 3; v++) {
                                int jj = j + v - 1;
                                if (jj >= 0 && jj < side) {
                                    sum += w[((o * channels + c) * 3 + u) * 3 + v] * in[c][ii][jj];
                                }
                            }
                        }
                    }
                    out[o][i][j] = Math.max(0, sum);
                }
            }
        }
        return out;
    }

    /** sqrt(sum of hann(i) hann(j) a^2 over the 3 x 3 window at stride 2, zero padding 1, + 1e-12). */
    private static double[][][] l2Pool(double[][][] in) {
        double[] hann = {0.5, 1, 0.5}; // hanning(5) without its zero ends
        double norm = 4; // (0.5 + 1 + 0.5)^2
        int side = in[0].length;
        int outSide = (side + 2 - 3) / 2 + 1;
        double[][][] out = new double[in.length][outSide][outSide];
        for (int c = 0; c < in.length; c++) {
            for (int i = 0; i < outSide; i++) {
                for (int j = 0; j < outSide; j++) {
                    double sum = 0;
                    for (int u = 0; u < 3; u++) {
                        for (int v = 0; v < 3; v++) {
                            int ii = 2 * i + u - 1;
                            int jj = 2 * j + v - 1;
                            if (ii >= 0 && ii < side && jj >= 0 && jj < side) {
                                sum += hann[u] * hann[v] / norm * in[c][ii][jj] * in[c][ii][jj];
                            }
                        }
                    }
                    out[c][i][j] = Math.sqrt(sum + 1e-12);
                }
            }
        }
        return out;
    }

    private static double[][][] randomImage(Random r, int side) {
        double[][][] image = new double[3][side][side];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < side; i++) {
                for (int j = 0; j < side; j++) {
                    image[c][i][j] = 2 * r.nextDouble() - 1;
                }
            }
        }
        return image;
    }

    /** Images (3, side, side) as a float64 batch. */
    private static NDArray batch(NDManager scope, double[][][]... images) {
        int side = images[0][0].length;
        double[] flat = new double[images.length * 3 * side * side];
        int k = 0;
        for (double[][][] image : images) {
            for (double[][] plane : image) {
                for (double[] row : plane) {
                    for (double v : row) {
                        flat[k++] = v;
                    }
                }
            }
        }
        return scope.create(flat, new Shape(images.length, 3, side, side));
    }
}
