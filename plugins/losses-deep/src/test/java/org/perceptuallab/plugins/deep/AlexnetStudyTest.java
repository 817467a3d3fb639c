package org.perceptuallab.plugins.deep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.perceptuallab.plugins.deep.Float64Layers.conv;
import static org.perceptuallab.plugins.deep.Float64Layers.image;
import static org.perceptuallab.plugins.deep.Float64Layers.maxPool;
import static org.perceptuallab.plugins.deep.Float64Layers.relu;
import static org.perceptuallab.plugins.deep.Float64Layers.tensor;
import static org.perceptuallab.plugins.deep.Float64Layers.uniform;
import static org.perceptuallab.plugins.deep.Float64Layers.vector;

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
        // PyTorch's default Conv2d weights and biases: uniform in +-1/sqrt(fan in)
        w1 = uniform(r, 64, 3, 11, 1 / Math.sqrt(3 * 11 * 11));
        b1 = uniform(r, 64, 1 / Math.sqrt(3 * 11 * 11));
        w2 = uniform(r, 192, 64, 5, 1 / Math.sqrt(64 * 5 * 5));
        b2 = uniform(r, 192, 1 / Math.sqrt(64 * 5 * 5));
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("features.0.weight", tensor(manager, w1));
        tensors.put("features.0.bias", vector(manager, b1));
        tensors.put("features.3.weight", tensor(manager, w2));
        tensors.put("features.3.bias", vector(manager, b2));
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
            loss += meanSquaredDifference(conv(maxPool(relu(conv1A), false), w2, b2, 1, 2),
                    conv(maxPool(relu(conv1B), false), w2, b2, 1, 2));
        }
        return loss;
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

    /** Two float64 images 3 x 67 x 67 in [-1, 1] (an odd side, so that padding and pooling edges matter). */
    private static NDArray images(Random r) {
        double[] v = new double[2 * 3 * 67 * 67];
        for (int i = 0; i < v.length; i++) {
            v[i] = 2 * r.nextDouble() - 1;
        }
        return manager.create(v, new Shape(2, 3, 67, 67));
    }
}
