package org.perceptuallab.plugins.pixel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.io.Images;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.Fixtures;
import org.perceptuallab.testkit.TestLab;

/**
 * psnr, ms-ssim and gmsd against {@link ReferenceMetricsFormulas}, the papers' formulas in float64, on random
 * and real image pairs at 192 x 192 (the five scales of MS-SSIM need 176 under its 11-pixel window), and their
 * gradients where the formulas are hardest: at and near x = y, and where MS-SSIM's terms are clamped.
 */
class ReferenceMetricsTest extends CatalogTest {
    private static final int SIDE = 192;
    private static final double[] WANG_WEIGHTS = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};
    /** Pairs: random and a noisy copy, random and its negative (anti-correlated), independent random. */
    private static NDArray randomX;
    private static NDArray randomY;
    /** Pairs: astronaut and a noisy copy, astronaut and coffee, chelsea and rocket. */
    private static NDArray realX;
    private static NDArray realY;
    /** Grey pairs: camera and a noisy copy, brick and gravel. */
    private static NDArray greyX;
    private static NDArray greyY;

    @BeforeAll
    static void images() {
        Random r = new Random(28);
        NDArray a = uniform(r, 3);
        NDArray b = uniform(r, 3);
        randomX = NDArrays.concat(new NDList(a, a, a));
        randomY = NDArrays.concat(new NDList(noisy(a, 0.2, r), a.neg(), b));
        NDArray astronaut = photo("astronaut.png", 3);
        realX = NDArrays.concat(new NDList(astronaut, astronaut, photo("chelsea.png", 3)));
        realY = NDArrays.concat(new NDList(noisy(astronaut, 0.1, r), photo("coffee.png", 3),
                photo("rocket.png", 3)));
        NDArray camera = photo("camera.png", 1);
        greyX = NDArrays.concat(new NDList(camera, photo("brick.png", 1)));
        greyY = NDArrays.concat(new NDList(noisy(camera, 0.1, r), photo("gravel.png", 1)));
    }

    @Test
    void psnrIsTheCeilingMinusThePapersPsnrAndGivesItBack() throws Exception {
        try (Loss loss = create("{\"loss\": \"psnr\"}")) {
            for (NDArray[] pair : pairs()) {
                double[] d = values(loss.distance(pair[0], pair[1]));
                double[][][][] x = arrays(pair[0]);
                double[][][][] y = arrays(pair[1]);
                for (int n = 0; n < d.length; n++) {
                    double psnr = ReferenceMetricsFormulas.psnr(x[n], y[n]);
                    double mse = Math.pow(10, -psnr / 10);
                    assertThat(d[n]).isCloseTo(10 * Math.log10(1 + mse / 1e-10), within(1e-9 * d[n]));
                    assertThat(100 - 10 * Math.log10(Math.pow(10, d[n] / 10) - 1)).isCloseTo(psnr, within(1e-9 * psnr));
                }
            }
        }
    }

    @Test
    void msSsimEqualsThePapersFormulaWithFiveScalesOnRandomAndRealImages() throws Exception {
        try (Loss loss = create("{\"loss\": \"ms-ssim\"}")) {
            assertThat(loss.spec().params().get("weights").toString()).isEqualTo(Arrays.toString(WANG_WEIGHTS)
                    .replace(" ", ""));
            for (NDArray[] pair : pairs()) {
                double[] d = values(loss.distance(pair[0], pair[1]));
                double[][][][] x = arrays(pair[0]);
                double[][][][] y = arrays(pair[1]);
                for (int n = 0; n < d.length; n++) {
                    double expected = ReferenceMetricsFormulas.msSsimDistance(x[n], y[n], WANG_WEIGHTS, 11, 1.5,
                            0.01, 0.03);
                    assertThat(d[n]).as("pair %d of %s", n, pair[0].getShape()).isCloseTo(expected,
                            within(1e-5 * expected));
                }
            }
        }
    }

    @Test
    void msSsimOfAnImageAndItsNegativeIsOneWithAZeroGradient() throws Exception {
        try (Loss loss = create("{\"loss\": \"ms-ssim\"}")) {
            NDArray x = randomX.get("1:2");
            NDArray y = randomY.get("1:2");
            assertThat(values(loss.distance(x, y))[0]).isEqualTo(1.0);
            assertThat(Arrays.stream(gradient(loss, x, y)).allMatch(g -> g == 0)).isTrue();
        }
    }

    @Test
    void gmsdEqualsThePapersFormulaOnRandomRealAndGreyImages() throws Exception {
        try (Loss loss = create("{\"loss\": \"gmsd\"}")) {
            for (NDArray[] pair : pairs()) {
                double[] d = values(loss.distance(pair[0], pair[1]));
                double[][][][] x = arrays(pair[0]);
                double[][][][] y = arrays(pair[1]);
                for (int n = 0; n < d.length; n++) {
                    double expected = ReferenceMetricsFormulas.gmsd(x[n], y[n], 170.0 / (255 * 255));
                    assertThat(d[n]).as("pair %d of %s", n, pair[0].getShape()).isCloseTo(expected,
                            within(1e-5 * expected));
                }
            }
        }
    }

    /** x = y is each distance's minimum: the gradient there is exactly zero, and finite next to it. */
    @ParameterizedTest
    @ValueSource(strings = {"psnr", "ms-ssim", "gmsd"})
    void gradientIsZeroAtXEqualsYAndFiniteNextToIt(String id) throws Exception {
        try (Loss loss = create("{\"loss\": \"" + id + "\"}")) {
            NDArray x = realX.get("0:2");
            assertThat(Arrays.stream(gradient(loss, x, x.duplicate())).allMatch(g -> g == 0)).isTrue();
            NDArray next = x.add(manager.randomNormal(0, 1e-6f, x.getShape(), DataType.FLOAT64, x.getDevice()))
                    .clip(-1, 1);
            assertThat(TestLab.hardInputProblems(loss, next, x, "x = y + 1e-6 noise")).isEmpty();
        }
    }

    /** Near x = y (1e-3 noise), where MS-SSIM's terms are close to 1 and GMSD's deviation close to 0. */
    @ParameterizedTest
    @ValueSource(strings = {"psnr", "ms-ssim", "gmsd"})
    void gradientMatchesFiniteDifferencesNearXEqualsY(String id) throws Exception {
        try (Loss loss = create("{\"loss\": \"" + id + "\"}")) {
            NDArray x = realX.get("0:1");
            NDArray near = x.add(manager.randomNormal(0, 1e-3f, x.getShape(), DataType.FLOAT64, x.getDevice()))
                    .clip(-1, 1);
            assertThat(TestLab.gradientError(loss, near, x, 8, 1e-6, 3)).isLessThan(1e-4);
        }
    }

    @Test
    void rejectsImagesTheyCannotMeasureNamingTheFix() throws Exception {
        try (Loss msSsim = create("{\"loss\": \"ms-ssim\"}"); Loss gmsd = create("{\"loss\": \"gmsd\"}")) {
            NDArray small = realX.get("0:1, :, :100, :100");
            assertThatThrownBy(() -> msSsim.distance(small, small)).isInstanceOf(PlabException.class)
                    .hasMessageContaining("loss 'ms-ssim'").hasMessageContaining("at least 176x176");
            NDArray twoChannels = realX.get("0:1, :2");
            assertThatThrownBy(() -> gmsd.distance(twoChannels, twoChannels)).isInstanceOf(PlabException.class)
                    .hasMessageContaining("loss 'gmsd'").hasMessageContaining("2 channels");
        }
        assertThatThrownBy(() -> create("{\"loss\": \"ms-ssim\", \"params\": {\"weights\": []}}"))
                .isInstanceOf(PlabException.class).hasMessageContaining("'weights' must be a non-empty list");
    }

    private static Loss create(String json) {
        return lab.loss(json, manager, 7);
    }

    private static NDArray[][] pairs() {
        return new NDArray[][] {{randomX, randomY}, {realX, realY}, {greyX, greyY}};
    }

    private static NDArray uniform(Random r, int channels) {
        double[] v = new double[channels * SIDE * SIDE];
        for (int i = 0; i < v.length; i++) {
            v[i] = 1.8 * r.nextDouble() - 0.9;
        }
        return manager.create(v, new Shape(1, channels, SIDE, SIDE));
    }

    private static NDArray noisy(NDArray x, double std, Random r) {
        double[] v = x.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(-1, Math.min(1, v[i] + std * r.nextGaussian()));
        }
        return manager.create(v, x.getShape());
    }

    private static NDArray photo(String name, int channels) {
        return Images.load(manager, Fixtures.photo(name), channels, SIDE, SIDE).toType(DataType.FLOAT64, false);
    }

    private static double[] values(NDArray d) {
        return d.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    private static double[] gradient(Loss loss, NDArray x, NDArray y) {
        NDArray xv = x.duplicate();
        xv.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(loss.distance(xv, y).sum());
        }
        return xv.getGradient().toDoubleArray();
    }

    /** (N, C, H, W) as nested arrays. */
    private static double[][][][] arrays(NDArray a) {
        Shape s = a.getShape();
        int n = (int) s.get(0);
        int c = (int) s.get(1);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        double[] flat = a.toDoubleArray();
        double[][][][] out = new double[n][c][h][w];
        for (int i = 0; i < flat.length; i++) {
            out[i / (c * h * w)][i / (h * w) % c][i / w % h][i % w] = flat[i];
        }
        return out;
    }
}
