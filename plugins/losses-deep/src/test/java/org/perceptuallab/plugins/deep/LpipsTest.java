package org.perceptuallab.plugins.deep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.perceptuallab.api.Loss;
import org.perceptuallab.kit.tensor.Draws;
import org.perceptuallab.testkit.Fixtures;
import org.perceptuallab.kit.weights.WeightFiles;
import org.perceptuallab.testkit.CatalogTest;

/**
 * LPIPS on the real v0.1 linear-weight files (legacy torch.save, Python 2 pickles), checked against a plain
 * double-precision re-implementation of the scaling layer, the channel normalisation and the learned
 * weighting, applied to raw trunk features.
 */
class LpipsTest extends CatalogTest {
    static Path lpipsFile(String net) {
        return Fixtures.external("data/lpips/v0.1/" + net + ".pth");
    }

    @Test
    void vggLpipsMatchesAnIndependentComputation() {
        Path trunkFile = Fixtures.external("golden/vgg16-features.pth");
        String params = "{\"net\": \"vgg\", \"weights\": \"" + trunkFile + "\", \"linearWeights\": \""
                + lpipsFile("vgg") + "\"}";
        try (NDManager scope = manager.newSubManager()) {
            Trunk trunk = Trunk.load("test", Architecture.VGG16, trunkFile, 29, scope, false);
            check(params, trunk, Architecture.VGG16, lpipsFile("vgg"), 32);
        }
    }

    @Test
    void alexLpipsMatchesAnIndependentComputation() {
        String params = "{\"net\": \"alex\", \"seed\": 21, \"linearWeights\": \"" + lpipsFile("alex") + "\"}";
        try (NDManager scope = manager.newSubManager()) {
            Trunk trunk = Trunk.random(Architecture.ALEXNET, new Draws(21), 11, scope, false, Trunk.Init.KAIMING);
            check(params, trunk, Architecture.ALEXNET, lpipsFile("alex"), 64);
        }
    }

    private static void check(String params, Trunk trunk, Architecture architecture, Path linearFile, int size) {
        double[][] images = new double[2][];
        Random r = new Random(17);
        for (int k = 0; k < 2; k++) {
            images[k] = new double[3 * size * size];
            for (int i = 0; i < images[k].length; i++) {
                images[k][i] = 2 * r.nextDouble() - 1;
            }
        }
        double expected = 0;
        List<String> layers = architecture.lpipsLayers();
        Map<String, NDArray> linear = WeightFiles.read(linearFile, manager, k -> k.startsWith("lin"));
        assertThat(linear).hasSize(5);
        for (int l = 0; l < layers.size(); l++) {
            int stage = architecture.index("test", layers.get(l));
            float[] fx = rawFeatures(trunk, images[0], size, stage);
            float[] fy = rawFeatures(trunk, images[1], size, stage);
            float[] w = linear.get("lin" + l + ".model.1.weight").toFloatArray();
            int channels = w.length;
            int positions = fx.length / channels;
            double layerSum = 0;
            for (int p = 0; p < positions; p++) {
                double nx = 0;
                double ny = 0;
                for (int c = 0; c < channels; c++) {
                    nx += (double) fx[c * positions + p] * fx[c * positions + p];
                    ny += (double) fy[c * positions + p] * fy[c * positions + p];
                }
                nx = Math.sqrt(nx) + 1e-10;
                ny = Math.sqrt(ny) + 1e-10;
                for (int c = 0; c < channels; c++) {
                    double d = fx[c * positions + p] / nx - fy[c * positions + p] / ny;
                    layerSum += w[c] * d * d;
                }
            }
            expected += layerSum / positions;
        }
        try (Loss loss = TestLosses.create(manager, "lpips", params, null)) {
            NDArray x = manager.create(images[0], new Shape(1, 3, size, size)).toType(DataType.FLOAT32, false);
            NDArray y = manager.create(images[1], new Shape(1, 3, size, size)).toType(DataType.FLOAT32, false);
            double actual = loss.distance(x, y).getFloat(0);
            System.out.printf("lpips %s: %.7f, independent %.7f%n", architecture, actual, expected);
            assertThat(expected).isGreaterThan(0.01);
            assertThat(actual).isCloseTo(expected, within(1e-5 * expected));
            NDArray phiX = loss.featureMap().orElseThrow().features(x);
            NDArray phiY = loss.featureMap().orElseThrow().features(y);
            assertThat((double) phiX.sub(phiY).square().sum().getFloat()).isCloseTo(expected, within(1e-5 * expected));
        }
    }

    /** LPIPS's scaling layer computed in Java, then the trunk's raw output at one stage, (C, H, W) flat. */
    private static float[] rawFeatures(Trunk trunk, double[] image, int size, int stage) {
        double[] shift = {-.030, -.088, -.188};
        double[] scale = {.458, .448, .450};
        float[] scaled = new float[image.length];
        int plane = size * size;
        for (int i = 0; i < image.length; i++) {
            int c = i / plane;
            scaled[i] = (float) ((image[i] - shift[c]) / scale[c]);
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray input = scope.create(scaled, new Shape(1, 3, size, size));
            return trunk.features(input, new TreeSet<>(List.of(stage))).get(stage).toFloatArray();
        }
    }
}
