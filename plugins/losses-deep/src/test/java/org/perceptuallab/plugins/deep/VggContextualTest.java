package org.perceptuallab.plugins.deep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.TestLab;

/**
 * The study's feature metrics that the golden values do not cover, on the {@code pixels} layer (the features
 * are the image, so the formulas can be recomputed in float64 on plain arrays): {@code cx} under each
 * cxDistance and a bandwidth other than 0.5, {@code dot}, the study's, and {@code cosine}, its normalised form.
 */
class VggContextualTest extends CatalogTest {
    private static final int C = 3;
    private static final int H = 5;
    private static final int W = 6;
    private static final int PAIRS = 2;

    @ParameterizedTest
    @CsvSource({"cosine, 0.5", "cosine, 0.2", "l1, 0.5", "l1, 0.1", "l2, 0.5", "l2, 1.5"})
    void contextualLossEqualsItsFormulaRecomputedInFloat64(String distance, double bandwidth) throws Exception {
        Random r = new Random(9);
        double[] x = uniform(r);
        double[] y = noisyCopy(x, r);
        try (Loss loss = TestLosses.create(manager, "vgg", "{\"layers\": {\"pixels\": 1}, \"metric\": \"cx\","
                + " \"cxDistance\": \"" + distance + "\", \"cxBandwidth\": " + bandwidth + "}", null)) {
            double[] got = loss.distance(tensor(x), tensor(y)).toDoubleArray();
            for (int n = 0; n < PAIRS; n++) {
                double expected = contextual(positions(x, n), positions(y, n), distance, bandwidth);
                assertThat(got[n]).as("pair %d", n).isCloseTo(expected, within(1e-9 * Math.abs(expected)));
            }
        }
    }

    /**
     * The contextual loss is minimised by optimisation (style transfer, generators): its gradient must reach x
     * for float32 images and for a batch of one, and match finite differences under each distance.
     */
    @ParameterizedTest
    @CsvSource({"cosine, 0.5", "l1, 0.5", "l2, 0.2"})
    void contextualLossHasAGradientForFloat32AndForABatchOfOne(String distance, double bandwidth) throws Exception {
        Random r = new Random(11);
        double[] x = uniform(r);
        double[] y = noisyCopy(x, r);
        try (Loss loss = TestLosses.create(manager, "vgg", "{\"layers\": {\"pixels\": 1}, \"metric\": \"cx\","
                + " \"cxDistance\": \"" + distance + "\", \"cxBandwidth\": " + bandwidth + "}", null)) {
            NDArray one = tensor(x).get("0:1");
            NDArray target = tensor(y).get("0:1");
            assertThat(TestLab.gradientError(loss, one, target, 6, 1e-6, 3)).isLessThan(1e-4);
            NDArray single = one.toType(DataType.FLOAT32, false);
            single.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray d = loss.distance(single, target.toType(DataType.FLOAT32, false));
                assertThat(d.getDataType()).isEqualTo(DataType.FLOAT32);
                gc.backward(d.sum());
            }
            assertThat(single.getGradient().abs().max().getFloat()).isPositive();
        }
    }

    @Test
    void cosineIsOneMinusTheCosineOfTheFlattenedFeaturesAndZeroAtXEqualsY() throws Exception {
        Random r = new Random(10);
        double[] x = uniform(r);
        double[] y = noisyCopy(x, r);
        try (Loss loss = TestLosses.create(manager, "vgg", "{\"layers\": {\"pixels\": 1}, \"metric\": \"cosine\"}",
                null)) {
            double[] got = loss.distance(tensor(x), tensor(y)).toDoubleArray();
            int size = C * H * W;
            for (int n = 0; n < PAIRS; n++) {
                double dot = 0;
                double xx = 0;
                double yy = 0;
                for (int i = n * size; i < (n + 1) * size; i++) {
                    dot += x[i] * y[i];
                    xx += x[i] * x[i];
                    yy += y[i] * y[i];
                }
                double expected = 1 - dot / Math.sqrt(xx * yy);
                assertThat(got[n]).as("pair %d", n).isCloseTo(expected, within(1e-9 * expected));
            }
            assertThat(loss.distance(tensor(x), tensor(x)).toDoubleArray()).containsOnly(0.0);
        }
    }

    @Test
    void dotIsTheStudysUnnormalisedOneMinusTheInnerProductAndNotZeroAtXEqualsY() throws Exception {
        Random r = new Random(11);
        double[] x = uniform(r);
        double[] y = noisyCopy(x, r);
        try (Loss loss = TestLosses.create(manager, "vgg", "{\"layers\": {\"pixels\": 1}, \"metric\": \"dot\"}",
                null)) {
            double[] got = loss.distance(tensor(x), tensor(y)).toDoubleArray();
            double[] self = loss.distance(tensor(x), tensor(x)).toDoubleArray();
            int size = C * H * W;
            for (int n = 0; n < PAIRS; n++) {
                double dot = 0;
                double xx = 0;
                for (int i = n * size; i < (n + 1) * size; i++) {
                    dot += x[i] * y[i];
                    xx += x[i] * x[i];
                }
                assertThat(got[n]).as("pair %d", n).isCloseTo(1 - dot, within(1e-9 * Math.abs(1 - dot)));
                assertThat(self[n]).as("d(x, x) of pair %d: 1 - |x|^2", n).isCloseTo(1 - xx, within(1e-9 * xx));
            }
        }
    }

    @Test
    void contextualOptionsWithAnotherMetricAreRefusedNamingTheFix() {
        assertThatThrownBy(() -> TestLosses.create(manager, "vgg", "{\"metric\": \"l1\", \"cxBandwidth\": 0.1}",
                null)).isInstanceOf(PlabException.class).hasMessageContaining("loss 'vgg'")
                .hasMessageContaining("'cxBandwidth' applies to metric 'cx' only")
                .hasMessageContaining("\"metric\": \"cx\"");
        assertThatThrownBy(() -> TestLosses.create(manager, "vgg", "{\"metric\": \"cx\", \"cxDistance\": \"dot\"}",
                null)).isInstanceOf(PlabException.class).hasMessageContaining("cxDistance");
    }

    /**
     * The study's contextual_loss for one pair, positions (P, C): d per distance, d~ = d / (min_j d + 1e-5),
     * w = exp((1 - d~) / h), cx = w / sum_j w, -log(mean_j max_i cx_ij + 1e-5).
     */
    private static double contextual(double[][] x, double[][] y, String distance, double h) {
        int p = x.length;
        double[][] d = new double[p][p];
        double[][] xs = x;
        double[][] ys = y;
        if (distance.equals("cosine")) {
            double[] mean = new double[C];
            for (double[] v : y) {
                for (int c = 0; c < C; c++) {
                    mean[c] += v[c] / p;
                }
            }
            xs = unitCentred(x, mean);
            ys = unitCentred(y, mean);
        }
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                double s = 0;
                for (int c = 0; c < C; c++) {
                    double diff = xs[i][c] - ys[j][c];
                    s += switch (distance) {
                        case "cosine" -> xs[i][c] * ys[j][c];
                        case "l1" -> Math.abs(diff);
                        default -> diff * diff;
                    };
                }
                d[i][j] = distance.equals("cosine") ? 1 - s : s;
            }
        }
        double[][] cx = new double[p][p];
        for (int i = 0; i < p; i++) {
            double min = Double.POSITIVE_INFINITY;
            for (int j = 0; j < p; j++) {
                min = Math.min(min, d[i][j]);
            }
            double sum = 0;
            for (int j = 0; j < p; j++) {
                cx[i][j] = Math.exp((1 - d[i][j] / (min + 1e-5)) / h);
                sum += cx[i][j];
            }
            for (int j = 0; j < p; j++) {
                cx[i][j] /= sum;
            }
        }
        double score = 0;
        for (int j = 0; j < p; j++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < p; i++) {
                max = Math.max(max, cx[i][j]);
            }
            score += max / p;
        }
        return -Math.log(score + 1e-5);
    }

    private static double[][] unitCentred(double[][] v, double[] mean) {
        double[][] out = new double[v.length][C];
        for (int i = 0; i < v.length; i++) {
            double norm = 0;
            for (int c = 0; c < C; c++) {
                out[i][c] = v[i][c] - mean[c];
                norm += out[i][c] * out[i][c];
            }
            for (int c = 0; c < C; c++) {
                out[i][c] /= Math.sqrt(norm);
            }
        }
        return out;
    }

    /** Pair n's feature vectors (H*W, C), positions in row-major order. */
    private static double[][] positions(double[] flat, int n) {
        double[][] out = new double[H * W][C];
        for (int c = 0; c < C; c++) {
            for (int k = 0; k < H * W; k++) {
                out[k][c] = flat[(n * C + c) * H * W + k];
            }
        }
        return out;
    }

    private static NDArray tensor(double[] v) {
        return manager.create(v, new Shape(PAIRS, C, H, W));
    }

    private static double[] uniform(Random r) {
        double[] v = new double[PAIRS * C * H * W];
        for (int i = 0; i < v.length; i++) {
            v[i] = 1.6 * r.nextDouble() - 0.8;
        }
        return v;
    }

    private static double[] noisyCopy(double[] x, Random r) {
        double[] v = new double[x.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(-1, Math.min(1, x[i] + 0.2 * r.nextGaussian()));
        }
        return v;
    }
}
