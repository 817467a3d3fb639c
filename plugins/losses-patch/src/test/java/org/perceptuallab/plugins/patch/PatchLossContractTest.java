package org.perceptuallab.plugins.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.testkit.CatalogTest;

/**
 * What the patch losses owe their users beyond the contract every loss keeps
 * ({@link PatchLossesKeepTheContractTest}): seeds and draws, mmd-approx's feature map, bad parameters and sizes.
 */
class PatchLossContractTest extends CatalogTest {
    static ObjectNode json(String text) {
        try {
            return (ObjectNode) new ObjectMapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    static Loss create(String id, String params, long seed) {
        return lab.loss(new LossSpec(id, json(params)), manager, seed);
    }

    /** x in [-0.8, 0.8] and y a nearby image, so that the kernels are neither saturated nor flat. */
    static NDArray[] pair(int side, DataType type, long seed) {
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) seed);
        Shape shape = new Shape(2, 3, side, side);
        NDArray x = manager.randomUniform(-0.8f, 0.8f, shape);
        NDArray y = x.add(manager.randomNormal(shape).mul(0.1)).clip(-1, 1);
        return new NDArray[] {x.toType(type, false), y.toType(type, false)};
    }

    /** Redrawn draws come from the seed's stream: two losses of one seed agree call by call, another differs. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "mmd-approx|{\"features\": 32, \"pool\": 8, \"poolStride\": 4}",
        "patch-swd|{\"patchSize\": 3, \"projections\": 16, \"redraw\": true}",
        "mmd++|{\"features\": 32}"})
    void seededRunsRepeat(String id, String params) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray[] xy = pair(32, DataType.FLOAT32, 4);
            scope.tempAttachAll(xy[0], xy[1]);
            float[][] first = twoCalls(id, params, 11, xy);
            float[][] again = twoCalls(id, params, 11, xy);
            float[][] otherSeed = twoCalls(id, params, 12, xy);
            assertThat(again).isDeepEqualTo(first);
            assertThat(first[1]).as("redraw gives new draws per call").isNotEqualTo(first[0]);
            assertThat(otherSeed[0]).isNotEqualTo(first[0]);
        }
    }

    private static float[][] twoCalls(String id, String params, long seed, NDArray[] xy) {
        try (Loss loss = create(id, params, seed)) {
            return new float[][] {loss.distance(xy[0], xy[1]).toFloatArray(),
                loss.distance(xy[0], xy[1]).toFloatArray()};
        }
    }

    @Test
    void ownSeedOverridesTheRunSeed() {
        try (NDManager scope = manager.newSubManager();
             Loss a = create("patch-swd", "{\"patchSize\": 3, \"projections\": 16, \"seed\": 5}", 1);
             Loss b = create("patch-swd", "{\"patchSize\": 3, \"projections\": 16, \"seed\": 5}", 2)) {
            NDArray[] xy = pair(16, DataType.FLOAT32, 5);
            scope.tempAttachAll(xy[0], xy[1]);
            assertThat(a.distance(xy[0], xy[1]).toFloatArray()).isEqualTo(b.distance(xy[0], xy[1]).toFloatArray());
        }
    }

    @Test
    void mmdApproxHasAnExactFeatureMapUnderFixedDrawsAndNoneWhenRedrawn() {
        try (NDManager scope = manager.newSubManager();
             Loss loss = create("mmd-approx", "{\"features\": 24, \"pool\": 8, \"poolStride\": 4, \"redraw\": false}",
                     3)) {
            NDArray[] xy = pair(16, DataType.FLOAT32, 6);
            scope.tempAttachAll(xy[0], xy[1]);
            NDArray fx = loss.featureMap().orElseThrow().features(xy[0]);
            NDArray fy = loss.featureMap().orElseThrow().features(xy[1]);
            assertThat(fx.getShape()).isEqualTo(new Shape(2, 24 * 3 * 3));
            float[] fromFeatures = fx.sub(fy).square().sum(new int[] {1}).toFloatArray();
            float[] distance = loss.distance(xy[0], xy[1]).toFloatArray();
            for (int i = 0; i < distance.length; i++) {
                assertThat(fromFeatures[i]).isCloseTo(distance[i], org.assertj.core.data.Percentage.withPercentage(1e-3));
            }
            assertThat(loss.symmetric()).isTrue();
        }
        try (Loss redrawn = create("mmd-approx", "{\"features\": 24, \"pool\": 8, \"poolStride\": 4}", 3)) {
            assertThat(redrawn.featureMap()).isEmpty();
            assertThat(redrawn.symmetric()).isFalse();
        }
    }

    @Test
    void injectedDrawsOfTheWrongShapeAreNamed() {
        NDArray wRaw = manager.randomNormal(new Shape(8, 3, 5, 5));
        LossContext context = lab.lossContext(manager, 0, Map.of("w_raw", wRaw), null);
        try (Loss loss = lab.losses().create(new LossSpec("mmd-approx", json("{\"features\": 8, \"pool\": -1}")), context)) {
            NDArray[] xy = pair(16, DataType.FLOAT32, 7);
            assertThatThrownBy(() -> loss.distance(xy[0], xy[1])).isInstanceOf(PlabException.class)
                    .hasMessageContaining("mmd-approx").hasMessageContaining("w_raw").hasMessageContaining("(8, 3, 3, 3)");
        }
    }

    /** Bad parameters known without images fail at construction, naming the loss, parameter and range. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "patch-mmd|{\"stride\": 0}|stride|[1, 4096]",
        "patch-swd|{\"stride\": 0}|stride|[1, 4096]",
        "mmd-approx|{\"stride\": 0}|stride|[1, 4096]",
        "patch-rbf|{\"sigma\": 0}|sigma|[1.0E-4, 1000]",
        "mmd-exact|{\"sigma\": -1}|sigma|[1.0E-4, 1000]",
        "mmd-approx|{\"sigma\": 0}|sigma|[1.0E-4, 1000]",
        "patch-mmd|{\"sigmas\": [0.1, 0]}|sigmas|[1.0E-4, 1000]",
        "mmd-approx|{\"features\": 0}|features|[1, 65536]",
        "mmd++|{\"features\": 0}|features|[1, 65536]",
        "patch-swd|{\"projections\": 0}|projections|[1, 65536]",
        "patch-mmd|{\"normalizePatch\": \"l2\"}|normalizePatch|one of none, channel_mean, mean, normalize",
        "mmd-exact|{\"normalizePatch\": \"l2\"}|normalizePatch|one of none, channel_mean, mean, normalize",
        "patch-swd|{\"normalizePatch\": \"l2\"}|normalizePatch|one of none, channel_mean, mean, normalize",
        "mmd-approx|{\"normalizePatch\": \"normalize\"}|normalizePatch|one of none, channel_mean, mean",
        "mmd-approx|{\"pool\": 0}|pool|-1 (global average), 1 (no pooling)",
        "mmd-exact|{\"windowStride\": 0}|windowStride|[1, 4096]",
        "mmd++|{\"weights\": [1, 2]}|weights|needs 3 values",
        "patch-rbf|{\"patchSize\": 0}|patchSize|[1, 64]"})
    void badParametersFailAtConstruction(String id, String params, String parameter, String range) {
        assertThatThrownBy(() -> create(id, params, 0)).isInstanceOf(PlabException.class)
                .hasMessageContaining("'" + id + "'").hasMessageContaining(parameter).hasMessageContaining(range);
    }

    /** Sizes that need the image fail at the first call, naming the loss, the parameter and the limit. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "patch-rbf|{\"patchSize\": 17}|patchSize|at most 16",
        "patch-mmd|{\"patchSize\": 17}|patchSize|at most 16",
        "patch-swd|{\"patchSize\": 17}|patchSize|at most 16",
        "mmd-approx|{\"patchSize\": 17, \"pool\": -1}|patchSize|at most 16",
        "mmd-exact|{\"window\": 17}|window|at most 16",
        "mmd-exact|{\"patchSize\": 17, \"window\": 8}|patchSize|at most 16",
        "mmd-approx|{\"pool\": 32}|pool|at most 16",
        "mmd++|{}|pool|at most 16"})
    void sizesTooLargeForTheImageFailAtTheCall(String id, String params, String parameter, String limit) {
        try (NDManager scope = manager.newSubManager(); Loss loss = create(id, params, 0)) {
            NDArray[] xy = pair(16, DataType.FLOAT32, 8);
            scope.tempAttachAll(xy[0], xy[1]);
            assertThatThrownBy(() -> loss.distance(xy[0], xy[1])).isInstanceOf(PlabException.class)
                    .hasMessageContaining("'" + (id.equals("mmd++") ? "mmd-approx" : id) + "'")
                    .hasMessageContaining(parameter).hasMessageContaining(limit);
        }
    }
}
