package org.perceptuallab.plugins.deep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.Fixtures;
import org.perceptuallab.testkit.TestLab;

/**
 * Conformance of every metric and family: gradients against finite differences (float64), finite
 * gradients at x = y, batch independence; plus reinit, pretrained lookup, missing keys and feature maps.
 */
class DeepLossChecksTest extends CatalogTest {
    static NDArray images(long seed, long n, long size, DataType type) {
        Random r = new Random(seed);
        double[] v = new double[(int) (n * 3 * size * size)];
        for (int i = 0; i < v.length; i++) {
            v[i] = 0.9 * (2 * r.nextDouble() - 1);
        }
        return manager.create(v, new Shape(n, 3, size, size)).toType(type, false);
    }

    static Loss create(String id, String paramsJson, Path weightsDir) {
        return TestLosses.create(manager, id, paramsJson, weightsDir);
    }

    @TestFactory
    Stream<DynamicTest> everyMetricHasRightFiniteBatchIndependentGradients() {
        return FeatureMetric.NAMES.stream().map(metric -> DynamicTest.dynamicTest(metric, () -> {
            String params = "{\"metric\": \"" + metric + "\", \"seed\": 5, "
                    + "\"layers\": {\"pixels\": 1.0, \"conv1_2\": 1.0, \"relu2_1\": 0.5}}";
            try (Loss loss = create("vgg", params, null); NDManager scope = manager.newSubManager()) {
                NDArray x = images(1, 2, 16, DataType.FLOAT64);
                NDArray y = images(2, 2, 16, DataType.FLOAT64);
                x.attach(scope);
                y.attach(scope);
                double error = TestLab.gradientError(loss, x, y, 6, 1e-6, 11);
                System.out.printf("vgg %s: gradient error %.2e%n", metric, error);
                // swd sorts and takes absolute values: a finite difference straddles a kink now and then.
                assertThat(error).as(metric).isLessThan(metric.equals("swd") ? 1e-3 : 1e-4);
                assertThat(TestLab.hardInputProblems(loss, x, x.duplicate(), "x = y")).as(metric).isEmpty();
                assertThat(TestLab.batchDependence(loss, x, y)).as(metric).isLessThan(1e-9);
                assertThat(TestLab.gradientDriftUnderGarbageCollection(loss, x, y)).as(metric).isZero();
            }
        }));
    }

    @Test
    void alexnetPassesTheSameChecks() {
        checkContract(create("alexnet", "{\"seed\": 4}", null));
    }

    @Test
    void lpipsPassesTheSameChecks() {
        Path alexLinear = Fixtures.external("data/lpips/v0.1/alex.pth");
        checkContract(create("lpips", "{\"seed\": 4, \"linearWeights\": \"" + alexLinear + "\"}", null));
    }

    private static void checkContract(Loss loss) {
        try (loss; NDManager scope = manager.newSubManager()) {
            NDArray x = images(3, 2, 64, DataType.FLOAT64);
            NDArray y = images(4, 2, 64, DataType.FLOAT64);
            x.attach(scope);
            y.attach(scope);
            String id = loss.spec().id();
            assertThat(TestLab.gradientError(loss, x, y, 6, 1e-6, 12)).as(id).isLessThan(1e-4);
            assertThat(TestLab.hardInputProblems(loss, x, x.duplicate(), "x = y")).as(id).isEmpty();
            assertThat(TestLab.batchDependence(loss, x, y)).as(id).isLessThan(1e-9);
            assertThat(TestLab.gradientDriftUnderGarbageCollection(loss, x, y)).as(id).isZero();
        }
    }

    @Test
    void reinitRedrawsFromTheSeedsSequence() {
        String params = "{\"reinit\": true, \"seed\": 9, \"layers\": {\"conv2_1\": 1.0}}";
        try (Loss a = create("vgg", params, null); Loss b = create("vgg", params, null)) {
            NDArray x = images(5, 1, 16, DataType.FLOAT32);
            NDArray y = images(6, 1, 16, DataType.FLOAT32);
            float a1 = a.distance(x, y).getFloat(0);
            float a2 = a.distance(x, y).getFloat(0);
            float b1 = b.distance(x, y).getFloat(0);
            float b2 = b.distance(x, y).getFloat(0);
            assertThat(a1).isNotEqualTo(a2);
            assertThat(b1).isEqualTo(a1);
            assertThat(b2).isEqualTo(a2);
        }
    }

    @Test
    void pretrainedFindsTorchvisionFileByNameOrSaysWhatToDownload(@TempDir Path dir) throws IOException {
        String params = "{\"weights\": \"pretrained\", \"layers\": {\"conv1_2\": 1.0}}";
        assertThatThrownBy(() -> create("vgg", params, null)).isInstanceOf(PlabException.class)
                .hasMessageContaining("PLAB_WEIGHTS_DIR")
                .hasMessageContaining("https://download.pytorch.org/models/vgg16-397923af.pth");
        assertThatThrownBy(() -> create("alexnet", "{\"weights\": \"pretrained\"}", dir))
                .isInstanceOf(PlabException.class)
                .hasMessageContaining("https://download.pytorch.org/models/alexnet-owt-7be5be79.pth")
                .hasMessageContaining(dir.resolve("alexnet-owt-7be5be79.pth").toAbsolutePath().toString());
        Files.createSymbolicLink(dir.resolve("vgg16-397923af.pth"),
                Fixtures.golden().resolve("vgg16-head-legacy.pth").toAbsolutePath());
        try (Loss byName = create("vgg", params, dir);
             Loss byPath = create("vgg", "{\"weights\": \"" + Fixtures.golden().resolve("vgg16-head-zip.pth")
                     + "\", \"layers\": {\"conv1_2\": 1.0}}", null)) {
            NDArray x = images(7, 1, 16, DataType.FLOAT32);
            NDArray y = images(8, 1, 16, DataType.FLOAT32);
            assertThat(byName.distance(x, y).getFloat(0)).isEqualTo(byPath.distance(x, y).getFloat(0));
        }
    }

    @Test
    void missingLayerWeightsNameTheKeyAndTheFile() {
        String params = "{\"weights\": \"" + Fixtures.golden().resolve("vgg16-head-legacy.pth") + "\", "
                + "\"layers\": {\"conv3_1\": 1.0}}";
        assertThatThrownBy(() -> create("vgg", params, null)).isInstanceOf(PlabException.class)
                .hasMessageContaining("features.10.weight").hasMessageContaining("vgg16-head-legacy.pth");
        assertThatThrownBy(() -> create("vgg", "{\"layers\": {\"conv9_9\": 1.0}}", null))
                .isInstanceOf(PlabException.class).hasMessageContaining("conv9_9").hasMessageContaining("relu5_3");
        assertThatThrownBy(() -> create("vgg", "{\"reinit\": true, \"weights\": \"x.pth\"}", null))
                .isInstanceOf(PlabException.class).hasMessageContaining("reinit");
    }

    @Test
    void featureMapDistanceIsTheL2Loss() {
        String params = "{\"metric\": \"l2\", \"seed\": 2, \"layers\": {\"pixels\": 0.5, \"conv1_2\": 1.0, "
                + "\"MP2\": 2.0}}";
        try (Loss loss = create("vgg", params, null)) {
            NDArray x = images(9, 2, 16, DataType.FLOAT64);
            NDArray y = images(10, 2, 16, DataType.FLOAT64);
            double[] direct = loss.distance(x, y).toDoubleArray();
            NDArray fx = loss.featureMap().orElseThrow().features(x);
            NDArray fy = loss.featureMap().orElseThrow().features(y);
            double[] viaFeatures = fx.sub(fy).square().sum(new int[] {1}).toDoubleArray();
            assertThat(viaFeatures).containsExactly(direct, org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @TestFactory
    Stream<DynamicTest> everyMetricLeavesNoArraysBehindAgainstACachedTarget() {
        // An optimisation compares many x with one target, whose features are cached between calls: what a
        // metric computes from them must go with the call, not into the cache's manager.
        return FeatureMetric.NAMES.stream().map(metric -> DynamicTest.dynamicTest(metric, () -> {
            String params = "{\"metric\": \"" + metric + "\", \"layers\": {\"pixels\": 1.0, \"relu1_2\": 1.0}}";
            try (NDManager constants = manager.newSubManager();
                 Loss loss = TestLosses.create(constants, "vgg", params, null);
                 NDManager scope = manager.newSubManager()) {
                NDArray x = images(3, 1, 16, DataType.FLOAT32);
                NDArray y = images(4, 1, 16, DataType.FLOAT32);
                x.attach(scope);
                y.attach(scope);
                loss.distance(x, y).close();
                assertThat(TestLab.arraysLeftBehind(loss, constants, x, y, 3)).as(metric).isZero();
            }
        }));
    }

    @Test
    void featureMapExposesEachLayersMapByNameInTheLossesOrder() {
        String params = "{\"metric\": \"gram\", \"layers\": {\"relu2_2\": 1.0, \"pixels\": 1.0, \"conv1_2\": 1.0}}";
        try (Loss loss = create("vgg", params, null)) {
            NDArray x = images(14, 1, 16, DataType.FLOAT32);
            Map<String, NDArray> layers = loss.activations(x);
            assertThat(List.copyOf(layers.keySet())).containsExactly("relu2_2", "pixels", "conv1_2");
            assertThat(layers.get("relu2_2").getShape()).isEqualTo(new Shape(1, 128, 8, 8));
            assertThat(layers.get("conv1_2").getShape()).isEqualTo(new Shape(1, 64, 16, 16));
            assertThat(layers.get("pixels").contentEquals(x)).isTrue();
            assertThat(layers.get("relu2_2").min().getFloat()).isGreaterThanOrEqualTo(0f);
        }
    }

    @Test
    void aOneLayerFeatureMapPassesTheGradientBackToTheImages() {
        try (Loss loss = create("vgg", "{\"metric\": \"l2\", \"layers\": {\"conv1_2\": 1}}", null);
             NDManager scope = manager.newSubManager()) {
            NDArray x = images(15, 2, 16, DataType.FLOAT32);
            x.attach(scope);
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(loss.featureMap().orElseThrow().features(x).square().sum());
            }
            assertThat(x.getGradient().abs().sum().getFloat()).isPositive();
        }
    }

    /** The vgg family's own loss (seed 1), not the catalogue's wrapper, so that tests can read its counters. */
    private static DeepFeatureLoss ownVgg(NDManager constants) {
        return (DeepFeatureLoss) new TrunkLosses.Vgg().create(new TrunkLosses.Vgg().params()
                .resolve("test", JsonNodeFactory.instance.objectNode().put("seed", 1)),
                lab.lossContext(constants, 3));
    }

    @Test
    void targetFeaturesAreReusedOnlyWhileTheTargetIsUnchanged() {
        try (NDManager constants = manager.newSubManager(); DeepFeatureLoss loss = ownVgg(constants)) {
            NDArray x = images(11, 1, 32, DataType.FLOAT32);
            NDArray y = images(12, 1, 32, DataType.FLOAT32);
            NDArray other = images(13, 1, 32, DataType.FLOAT32);
            float first = loss.distance(x, y).getFloat(0);
            assertThat(loss.targetComputations()).isEqualTo(1);
            assertThat(loss.distance(x, y).getFloat(0)).isEqualTo(first);
            assertThat(loss.distance(x.add(0.01f), y.duplicate()).getFloat(0)).isNotEqualTo(first);
            assertThat(loss.targetComputations()).as("the same target values, also in another array: a hit").isEqualTo(1);
            float changed = loss.distance(x, other).getFloat(0);
            assertThat(loss.targetComputations()).as("another target: computed again").isEqualTo(2);
            try (Loss fresh = create("vgg", "{\"seed\": 1}", null)) {
                assertThat(changed).isEqualTo(fresh.distance(x, other).getFloat(0)).isNotEqualTo(first);
            }
        }
    }

    @Test
    void distancesFromPassesTheReferenceThroughTheTrunkOnceAndEqualsEachPairedDistance() {
        try (NDManager constants = manager.newSubManager(); DeepFeatureLoss loss = ownVgg(constants)) {
            NDArray ref = images(21, 2, 32, DataType.FLOAT32);
            NDArray p0 = images(22, 2, 32, DataType.FLOAT32);
            NDArray p1 = images(23, 2, 32, DataType.FLOAT32);
            List<NDArray> d = loss.distancesFrom(ref, List.of(p0, p1));
            assertThat(loss.trunkImages()).as("ref, p0 and p1 once each").isEqualTo(6);
            assertThat(d.get(0).toFloatArray()).containsExactly(loss.distance(ref, p0).toFloatArray(), within(1e-5f));
            assertThat(d.get(1).toFloatArray()).containsExactly(loss.distance(ref, p1).toFloatArray(), within(1e-5f));
            assertThat(d.get(0).toFloatArray()).doesNotContain(d.get(1).toFloatArray());
        }
    }

    @Test
    void distancesFromRedrawsTheWeightsOnceForTheWholeCall() {
        String reinit = "{\"seed\": 4, \"reinit\": true, \"layers\": {\"conv1_2\": 1, \"conv2_2\": 1}}";
        try (Loss several = create("vgg", reinit, null); Loss concatenated = create("vgg", reinit, null)) {
            NDArray ref = images(24, 2, 16, DataType.FLOAT32);
            NDArray p0 = images(25, 2, 16, DataType.FLOAT32);
            NDArray p1 = images(26, 2, 16, DataType.FLOAT32);
            List<NDArray> d = several.distancesFrom(ref, List.of(p0, p1));
            float[] one = concatenated.distance(NDArrays.concat(new NDList(ref, ref)),
                    NDArrays.concat(new NDList(p0, p1))).toFloatArray();
            assertThat(d.get(0).toFloatArray()).containsExactly(new float[] {one[0], one[1]}, within(1e-5f));
            assertThat(d.get(1).toFloatArray()).containsExactly(new float[] {one[2], one[3]}, within(1e-5f));
        }
    }
}
