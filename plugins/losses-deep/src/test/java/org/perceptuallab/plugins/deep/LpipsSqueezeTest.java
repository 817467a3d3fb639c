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

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.tensor.Draws;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.TorchZipFiles;

/**
 * LPIPS on SqueezeNet 1.1 (torchvision's squeezenet1_1 features, the LPIPS package's seven taps) and LPIPS
 * v0.0 (no scaling layer): the values against a float64 recomputation of the trunk, written here from
 * torchvision's layout (fire modules, ceil-mode pools) with random weights saved as torch files, and LPIPS's
 * formula; the published files' names and the message when they are absent.
 */
class LpipsSqueezeTest extends CatalogTest {
    /** squeezenet1_1's fire modules: features index, input channels, squeeze channels, channels of each expansion. */
    private static final int[][] FIRES = {{3, 64, 16, 64}, {4, 128, 16, 64}, {6, 128, 32, 128}, {7, 256, 32, 128},
            {9, 256, 48, 192}, {10, 384, 48, 192}, {11, 384, 64, 256}, {12, 512, 64, 256}};
    private static final int[] TAP_CHANNELS = {64, 128, 256, 384, 384, 512, 512};
    /** An odd side: with floor-mode pools the taps would be 7, 3 and 1 pixels wide instead of 8, 4 and 2. */
    private static final int SIDE = 33;
    @TempDir
    static Path tmp;
    private static final Map<String, double[][][][]> WEIGHTS = new LinkedHashMap<>();
    private static final Map<String, double[]> BIASES = new LinkedHashMap<>();
    private static final List<double[]> LINEAR = new ArrayList<>();
    private static Path trunkFile;
    private static Path linearFile;
    private static NDArray x;
    private static NDArray y;

    @BeforeAll
    static void weightsAndImages() throws IOException {
        Random r = new Random(11);
        // Kaiming-uniform weights keep every tap's activations of order one, so that each layer counts
        draw(r, "features.0", 3, 64, 3);
        for (int[] f : FIRES) {
            draw(r, "features." + f[0] + ".squeeze", f[1], f[2], 1);
            draw(r, "features." + f[0] + ".expand1x1", f[2], f[3], 1);
            draw(r, "features." + f[0] + ".expand3x3", f[2], f[3], 3);
        }
        Map<String, NDArray> trunk = new LinkedHashMap<>();
        WEIGHTS.forEach((key, w) -> {
            trunk.put(key + ".weight", tensor(manager, w));
            trunk.put(key + ".bias", vector(manager, BIASES.get(key)));
        });
        trunkFile = tmp.resolve("squeeze-random.pth");
        TorchZipFiles.write(trunkFile, trunk);
        Map<String, NDArray> linear = new LinkedHashMap<>();
        for (int i = 0; i < TAP_CHANNELS.length; i++) {
            double[] w = uniform(r, TAP_CHANNELS[i], 1);
            for (int c = 0; c < w.length; c++) {
                w[c] = Math.abs(w[c]);
            }
            LINEAR.add(w);
            linear.put("lin" + i + ".model.1.weight", vector(manager, w).reshape(1, w.length, 1, 1));
        }
        linearFile = tmp.resolve("squeeze-linear.pth");
        TorchZipFiles.write(linearFile, linear);
        x = randomImage(r);
        y = randomImage(r);
    }

    /**
     * Biases of the order of the activations: without them a ReLU trunk is positively homogeneous, and the
     * channel normalisation would all but cancel v0.1's scaling, leaving v0.0 and v0.1 nearly equal.
     */
    private static void draw(Random r, String key, int in, int out, int k) {
        WEIGHTS.put(key, uniform(r, out, in, k, Math.sqrt(6.0 / (in * k * k))));
        BIASES.put(key, uniform(r, out, 1));
    }

    /** A float32 image (1, 3, SIDE, SIDE) uniform in [-1, 1]. */
    private static NDArray randomImage(Random r) {
        float[] v = new float[3 * SIDE * SIDE];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (2 * r.nextDouble() - 1);
        }
        return manager.create(v, new Shape(1, 3, SIDE, SIDE));
    }

    @Test
    void theSevenTapsHaveSqueezenetsChannelsAndCeilModeSides() {
        Architecture squeeze = Architecture.SQUEEZENET;
        List<Integer> stages = Lpips.stages(squeeze);
        assertThat(stages).containsExactly(1, 4, 7, 9, 10, 11, 12);
        assertThat(Lpips.channels(squeeze, stages)).containsExactly(64L, 128L, 256L, 384L, 384L, 512L, 512L);
        long[] sides = {16, 8, 4, 2, 2, 2, 2};
        try (NDManager scope = manager.newSubManager()) {
            Trunk trunk = Trunk.random(squeeze, new Draws(1), 12, scope, false, Trunk.Init.KAIMING);
            Map<Integer, NDArray> taps = trunk.features(scope.randomUniform(-1, 1, new Shape(2, 3, SIDE, SIDE)),
                    new TreeSet<>(stages));
            for (int i = 0; i < stages.size(); i++) {
                assertThat(taps.get(stages.get(i)).getShape()).as("tap %d", i)
                        .isEqualTo(new Shape(2, TAP_CHANNELS[i], sides[i], sides[i]));
                assertThat(squeeze.outputSide(SIDE, stages.get(i))).isEqualTo(sides[i]);
            }
        }
    }

    /** 17 pixels reach fire9 (conv 8, pools 4, 2, 1); at 16 the third pool has nothing left. */
    @Test
    void imagesTooSmallForFire9AreRefusedNamingTheSmallestSide() {
        try (Loss loss = TestLosses.create(manager, "lpips", "{\"net\": \"squeeze\", \"linearWeights\": \"ones\"}",
                null)) {
            NDArray small = manager.zeros(new Shape(1, 3, 16, 16));
            assertThatThrownBy(() -> loss.distance(small, small)).isInstanceOf(PlabException.class)
                    .hasMessageContaining("at least 17 x 17").hasMessageContaining("fire9");
            assertThat(loss.distance(manager.zeros(new Shape(1, 3, 17, 17)), manager.ones(new Shape(1, 3, 17, 17))
                    .mul(0.5f)).getFloat(0)).isFinite();
        }
    }

    @Test
    void version01OnSqueezeMatchesAFloat64Recomputation() {
        double expected = float64Lpips(true);
        try (Loss loss = TestLosses.create(manager, "lpips", "{\"net\": \"squeeze\", \"weights\": \"" + trunkFile
                + "\", \"linearWeights\": \"" + linearFile + "\"}", null)) {
            double actual = loss.distance(x, y).getFloat(0);
            System.out.printf("lpips squeeze v0.1: %.7f, float64 %.7f%n", actual, expected);
            assertThat(actual).isCloseTo(expected, within(1e-5 * expected));
        }
    }

    /** v0.0 feeds the trunk the raw input; its files load from the weights folder under their published names. */
    @Test
    void version00FromTheWeightsFolderMatchesAFloat64RecomputationWithoutScaling() throws IOException {
        Path folder = tmp.resolve("weights-v00");
        Files.createDirectories(folder.resolve("lpips/v0.0"));
        Files.copy(trunkFile, folder.resolve("squeezenet1_1-b8a52dc0.pth"));
        Files.copy(linearFile, folder.resolve("lpips/v0.0/squeeze.pth"));
        double expected = float64Lpips(false);
        double scaled = float64Lpips(true);
        System.out.printf("float64 lpips squeeze v0.0 %.7f, v0.1 %.7f%n", expected, scaled);
        assertThat(Math.abs(expected - scaled)).as("v0.1's value, far beyond the tolerance below")
                .isGreaterThan(1e-2 * expected);
        try (Loss loss = TestLosses.create(manager, "lpips", "{\"net\": \"squeeze\", \"version\": 0.0,"
                + " \"weights\": \"pretrained\", \"linearWeights\": \"pretrained\"}", folder)) {
            double actual = loss.distance(x, y).getFloat(0);
            System.out.printf("lpips squeeze v0.0: %.7f, float64 %.7f%n", actual, expected);
            assertThat(actual).isCloseTo(expected, within(1e-5 * expected));
        }
    }

    @Test
    void absentPublishedFilesAreEachNamedWithWhereToPutThem() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty-weights"));
        assertThatThrownBy(() -> TestLosses.create(manager, "lpips", "{\"net\": \"squeeze\", \"version\": 0.0,"
                + " \"weights\": \"pretrained\"}", empty)).isInstanceOf(PlabException.class)
                .hasMessageStartingWith("loss 'lpips': ")
                .hasMessageContaining("https://download.pytorch.org/models/squeezenet1_1-b8a52dc0.pth")
                .hasMessageContaining(empty.resolve("squeezenet1_1-b8a52dc0.pth").toAbsolutePath().toString())
                .hasMessageContaining("https://github.com/richzhang/PerceptualSimilarity/raw/master/lpips/weights/v0.0"
                        + "/squeeze.pth")
                .hasMessageContaining(empty.resolve("lpips/v0.0/squeeze.pth").toAbsolutePath().toString());
        assertThatThrownBy(() -> TestLosses.create(manager, "lpips", "{\"net\": \"squeeze\"}", null))
                .isInstanceOf(PlabException.class).hasMessageContaining("PLAB_WEIGHTS_DIR")
                .hasMessageContaining("<that folder>/lpips/v0.1/squeeze.pth");
    }

    @Test
    void anUnknownVersionIsRefusedNamingTheVersions() {
        assertThatThrownBy(() -> TestLosses.create(manager, "lpips", "{\"net\": \"squeeze\", \"version\": 0.05,"
                + " \"linearWeights\": \"ones\"}", null)).isInstanceOf(PlabException.class)
                .hasMessageContaining("loss 'lpips'").hasMessageContaining("'version' is 0.05")
                .hasMessageContaining("use 0.1 (the default) or 0.0");
    }

    @Test
    void randomSqueezeLpipsIsZeroWithAFiniteGradientAtXEqualsYInBothVersions() {
        for (String version : List.of("0.1", "0.0")) {
            try (Loss loss = TestLosses.create(manager, "lpips", "{\"net\": \"squeeze\", \"version\": " + version
                    + ", \"linearWeights\": \"ones\"}", null); NDManager scope = manager.newSubManager()) {
                NDArray at = x.duplicate();
                at.attach(scope);
                at.setRequiresGradient(true);
                NDArray distance;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    distance = loss.distance(at, x);
                    gc.backward(distance.sum());
                }
                assertThat(distance.getFloat(0)).as("v%s at x = y", version).isZero();
                float[] gradient = at.getGradient().toFloatArray();
                for (float g : gradient) {
                    assertThat(g).as("v%s gradient", version).isFinite();
                }
            }
        }
    }

    /** LPIPS of x and y by the formula, on the float64 trunk; {@code scale}: the v0.1 scaling layer first. */
    private static double float64Lpips(boolean scale) {
        List<double[][][]> tx = taps(input(image(x, 0), scale));
        List<double[][][]> ty = taps(input(image(y, 0), scale));
        double total = 0;
        for (int l = 0; l < tx.size(); l++) {
            double[][][] a = tx.get(l);
            double[][][] b = ty.get(l);
            assertThat(a.length).isEqualTo(LINEAR.get(l).length);
            int h = a[0].length;
            int w = a[0][0].length;
            double layer = 0;
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    double na = 0;
                    double nb = 0;
                    for (int c = 0; c < a.length; c++) {
                        na += a[c][i][j] * a[c][i][j];
                        nb += b[c][i][j] * b[c][i][j];
                    }
                    na = Math.sqrt(na) + 1e-10;
                    nb = Math.sqrt(nb) + 1e-10;
                    for (int c = 0; c < a.length; c++) {
                        double d = a[c][i][j] / na - b[c][i][j] / nb;
                        layer += LINEAR.get(l)[c] * d * d;
                    }
                }
            }
            total += layer / (h * w);
        }
        return total;
    }

    /** LPIPS's scaling layer, (v - shift) / scale per channel, or the raw image. */
    private static double[][][] input(double[][][] image, boolean scale) {
        if (!scale) {
            return image;
        }
        double[] shift = {-.030, -.088, -.188};
        double[] factor = {.458, .448, .450};
        double[][][] out = new double[3][][];
        for (int c = 0; c < 3; c++) {
            out[c] = new double[image[c].length][image[c][0].length];
            for (int i = 0; i < image[c].length; i++) {
                for (int j = 0; j < image[c][i].length; j++) {
                    out[c][i][j] = (image[c][i][j] - shift[c]) / factor[c];
                }
            }
        }
        return out;
    }

    /**
     * The LPIPS taps of torchvision's squeezenet1_1: ReLU(conv1 3x3 stride 2), then fire2 fire3 | fire4 fire5 |
     * fire6 | fire7 | fire8 | fire9, a ceil-mode 3x3 stride-2 max pool before fire2, fire4 and fire6.
     */
    private static List<double[][][]> taps(double[][][] image) {
        List<double[][][]> taps = new ArrayList<>();
        double[][][] h = relu(conv(image, WEIGHTS.get("features.0"), BIASES.get("features.0"), 2, 0));
        taps.add(h);
        for (int[] f : FIRES) {
            if (f[0] == 3 || f[0] == 6 || f[0] == 9) {
                h = maxPool(h, true);
            }
            h = fire(h, "features." + f[0]);
            if (f[0] != 3 && f[0] != 6) {
                taps.add(h);
            }
        }
        return taps;
    }

    /** [ReLU(expand1x1(s)), ReLU(expand3x3(s))] over channels, s = ReLU(squeeze(in)). */
    private static double[][][] fire(double[][][] in, String key) {
        double[][][] s = relu(conv(in, WEIGHTS.get(key + ".squeeze"), BIASES.get(key + ".squeeze"), 1, 0));
        double[][][] e1 = relu(conv(s, WEIGHTS.get(key + ".expand1x1"), BIASES.get(key + ".expand1x1"), 1, 0));
        double[][][] e3 = relu(conv(s, WEIGHTS.get(key + ".expand3x3"), BIASES.get(key + ".expand3x3"), 1, 1));
        double[][][] out = new double[e1.length + e3.length][][];
        System.arraycopy(e1, 0, out, 0, e1.length);
        System.arraycopy(e3, 0, out, e1.length, e3.length);
        return out;
    }
}
