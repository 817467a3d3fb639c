package org.perceptuallab.plugins.deep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.TorchZipFiles;

/**
 * The study's AlexNet loss (PerceptualLossExperiments, losses/alexnet_loss): its trunk is the first modules
 * of torchvision's AlexNet features (conv1, ReLU, max pool, conv2, ReLU for its default of five modules; conv1
 * alone for one), it compares conv1 and conv2 before their ReLU, and it sums the per-layer mean squared
 * differences without dividing by the number of layers. Here that formula is recomputed in float64 on plain
 * arrays with the same random weights, written as a torch.save file the loss reads.
 */
class AlexnetStudyTest extends CatalogTest {
    @TempDir
    static Path tmp;
    private static Path weightsFile;
    private static double[][][][] w1;
    private static double[] b1;
    private static double[][][][] w2;
    private static double[] b2;
    private static NDArray x;
    private static NDArray y;

    @BeforeAll
    static void weightsAndImages() throws IOException {
        Random r = new Random(28);
        w1 = uniform(r, 64, 3, 11);
        b1 = uniform(r, 64, 3 * 11 * 11);
        w2 = uniform(r, 192, 64, 5);
        b2 = uniform(r, 192, 64 * 5 * 5);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("features.0.weight", tensor(w1));
        tensors.put("features.0.bias", manager.create(toFloats(b1)));
        tensors.put("features.3.weight", tensor(w2));
        tensors.put("features.3.bias", manager.create(toFloats(b2)));
        weightsFile = tmp.resolve("alexnet-random.pth");
        TorchZipFiles.write(weightsFile, tensors);
        x = images(r);
        y = images(r);
    }

    @Test
    void conv1AndConv2SummedEqualTheStudysFormulaInFloat64() {
        try (Loss loss = create("{\"conv1\": 1, \"conv2\": 1}, \"layerReduction\": \"sum\"")) {
            double[] d = loss.distance(x, y).toDoubleArray();
            for (int n = 0; n < d.length; n++) {
                double expected = studyLoss(image(x, n), image(y, n), true);
                assertThat(d[n]).isCloseTo(expected, within(1e-9 * expected));
            }
        }
    }

    @Test
    void conv1AloneEqualsTheStudysOneModuleTrunk() {
        try (Loss loss = create("{\"conv1\": 1}, \"layerReduction\": \"sum\"")) {
            double[] d = loss.distance(x, y).toDoubleArray();
            for (int n = 0; n < d.length; n++) {
                double expected = studyLoss(image(x, n), image(y, n), false);
                assertThat(d[n]).isCloseTo(expected, within(1e-9 * expected));
            }
        }
    }

    /** Without layerReduction, as before: the study's value divided by the number of layers. */
    @Test
    void theDefaultReductionDividesTheSumByTheNumberOfLayers() {
        try (Loss sum = create("{\"conv1\": 1, \"conv2\": 1}, \"layerReduction\": \"sum\"");
             Loss mean = create("{\"conv1\": 1, \"conv2\": 1}");
             Loss explicitMean = create("{\"conv1\": 1, \"conv2\": 1}, \"layerReduction\": \"mean\"")) {
            double[] summed = sum.distance(x, y).toDoubleArray();
            double[] averaged = mean.distance(x, y).toDoubleArray();
            assertThat(explicitMean.distance(x, y).toDoubleArray()).containsExactly(averaged);
            for (int n = 0; n < summed.length; n++) {
                assertThat(averaged[n]).isCloseTo(summed[n] / 2, within(1e-12 * summed[n]));
            }
            assertThat(mean.spec().params().has("layerReduction")).as("the canonical spec of a default").isFalse();
        }
    }

    /** conv1's output on a black image is its bias: drawn, and within PyTorch's bound 1 / sqrt(3 * 11 * 11). */
    @Test
    void uniformInitDrawsBiasesWithinPyTorchsBound() {
        try (Loss loss = TestLosses.create(manager, "alexnet", "{\"init\": \"uniform\", \"seed\": 4,"
                + " \"layers\": {\"conv1\": 1}}", null)) {
            NDArray black = manager.zeros(new Shape(1, 3, 64, 64), DataType.FLOAT64);
            double[] bias = loss.activations(black).get("conv1").get(":, :, 0, 0").toDoubleArray();
            double bound = 1 / Math.sqrt(3 * 11 * 11);
            double largest = Arrays.stream(bias).map(Math::abs).max().orElse(0);
            assertThat(bias).hasSize(64);
            assertThat(largest).isLessThanOrEqualTo(bound).isGreaterThan(bound / 2);
        }
    }

    @Test
    void anUnknownLayerReductionIsRefusedNamingTheChoices() {
        assertThatThrownBy(() -> TestLosses.create(manager, "alexnet", "{\"layerReduction\": \"max\"}", null))
                .isInstanceOf(PlabException.class).hasMessageContaining("loss 'alexnet'")
                .hasMessageContaining("'layerReduction' is 'max'").hasMessageContaining("'sum'");
    }

    private static Loss create(String layersAndMore) {
        return TestLosses.create(manager, "alexnet", "{\"weights\": \"" + weightsFile + "\", \"layers\": "
                + layersAndMore + "}", null);
    }

    /** mean (conv1_x - conv1_y)^2, plus the same of conv2 after ReLU and a 3 x 3 max pool at stride 2. */
    private static double studyLoss(double[][][] a, double[][][] b, boolean withConv2) {
        double[][][] conv1A = conv(a, w1, b1, 4, 2);
        double[][][] conv1B = conv(b, w1, b1, 4, 2);
        double loss = meanSquaredDifference(conv1A, conv1B);
        if (withConv2) {
            loss += meanSquaredDifference(conv(maxPool(relu(conv1A)), w2, b2, 1, 2),
                    conv(maxPool(relu(conv1B)), w2, b2, 1, 2));
        }
        return loss;
    }

    private static double[][][] conv(double[][][] in, double[][][][] w, double[] bias, int stride, int pad) {
        int k = w[0][0].length;
        int h = (in[0].length + 2 * pad - k) / stride + 1;
        int wd = (in[0][0].length + 2 * pad - k) / stride + 1;
        double[][][] out = new double[w.length][h][wd];
        for (int o = 0; o < w.length; o++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < wd; j++) {
                    double s = bias[o];
                    for (int c = 0; c < in.length; c++) {
                        for (int u = 0; u < k; u++) {
                            int row = i * stride + u - pad;
                            if (row < 0 || row >= in[c].length) {
                                continue;
                            }
                            for (int v = 0; v < k; v++) {
                                int col = j * stride + v - pad;
                                if (col >= 0 && col < in[c][row].length) {
                                    s += w[o][c][u][v] * in[c][row][col];
                                }
                            }
                        }
                    }
                    out[o][i][j] = s;
                }
            }
        }
        return out;
    }

    private static double[][][] relu(double[][][] a) {
        double[][][] out = new double[a.length][a[0].length][a[0][0].length];
        for (int c = 0; c < a.length; c++) {
            for (int i = 0; i < a[c].length; i++) {
                for (int j = 0; j < a[c][i].length; j++) {
                    out[c][i][j] = Math.max(a[c][i][j], 0);
                }
            }
        }
        return out;
    }

    /** 3 x 3 windows at stride 2, no padding. */
    private static double[][][] maxPool(double[][][] a) {
        int h = (a[0].length - 3) / 2 + 1;
        int w = (a[0][0].length - 3) / 2 + 1;
        double[][][] out = new double[a.length][h][w];
        for (int c = 0; c < a.length; c++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    double m = Double.NEGATIVE_INFINITY;
                    for (int u = 0; u < 3; u++) {
                        for (int v = 0; v < 3; v++) {
                            m = Math.max(m, a[c][2 * i + u][2 * j + v]);
                        }
                    }
                    out[c][i][j] = m;
                }
            }
        }
        return out;
    }

    private static double meanSquaredDifference(double[][][] a, double[][][] b) {
        double s = 0;
        long n = 0;
        for (int c = 0; c < a.length; c++) {
            for (int i = 0; i < a[c].length; i++) {
                for (int j = 0; j < a[c][i].length; j++) {
                    double d = a[c][i][j] - b[c][i][j];
                    s += d * d;
                    n++;
                }
            }
        }
        return s / n;
    }

    /** PyTorch's default Conv2d weights: uniform in +-1/sqrt(fan in), rounded to float32 as a file holds them. */
    private static double[][][][] uniform(Random r, int out, int in, int k) {
        double bound = 1 / Math.sqrt(in * k * k);
        double[][][][] w = new double[out][in][k][k];
        for (double[][][] filter : w) {
            for (double[][] plane : filter) {
                for (double[] row : plane) {
                    for (int v = 0; v < k; v++) {
                        row[v] = (float) ((2 * r.nextDouble() - 1) * bound);
                    }
                }
            }
        }
        return w;
    }

    private static double[] uniform(Random r, int out, int fanIn) {
        double bound = 1 / Math.sqrt(fanIn);
        double[] b = new double[out];
        for (int i = 0; i < out; i++) {
            b[i] = (float) ((2 * r.nextDouble() - 1) * bound);
        }
        return b;
    }

    private static NDArray tensor(double[][][][] w) {
        int o = w.length;
        int c = w[0].length;
        int k = w[0][0].length;
        double[] flat = new double[o * c * k * k];
        int i = 0;
        for (double[][][] filter : w) {
            for (double[][] plane : filter) {
                for (double[] row : plane) {
                    for (double v : row) {
                        flat[i++] = v;
                    }
                }
            }
        }
        return manager.create(toFloats(flat), new Shape(o, c, k, k));
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    /** Two float64 images 3 x 67 x 67 in [-1, 1] (an odd side, so that padding and pooling edges matter). */
    private static NDArray images(Random r) {
        double[] v = new double[2 * 3 * 67 * 67];
        for (int i = 0; i < v.length; i++) {
            v[i] = 2 * r.nextDouble() - 1;
        }
        return manager.create(v, new Shape(2, 3, 67, 67));
    }

    private static double[][][] image(NDArray batch, int n) {
        Shape s = batch.getShape();
        int c = (int) s.get(1);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        double[] flat = batch.get(n).toDoubleArray();
        double[][][] out = new double[c][h][w];
        for (int i = 0; i < flat.length; i++) {
            out[i / (h * w)][i / w % h][i % w] = flat[i];
        }
        return out;
    }
}
