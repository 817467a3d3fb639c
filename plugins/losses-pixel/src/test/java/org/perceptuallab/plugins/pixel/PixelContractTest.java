package org.perceptuallab.plugins.pixel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.runtime.catalog.LabContext;
import org.perceptuallab.testkit.LossChecks;
import org.perceptuallab.testkit.CatalogTest;

/** The behaviour every pixel loss owes its users: gradients, batch independence, the error contract. */
class PixelContractTest extends CatalogTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Every family, configured to fit 16 x 16 test images. */
    static Stream<String> specs() {
        return Stream.of(
                "{\"loss\": \"l2\"}",
                "{\"loss\": \"l1\"}",
                "{\"loss\": \"lp\", \"params\": {\"p\": 0.5}}",
                "{\"loss\": \"lp\", \"params\": {\"p\": 1.5}}",
                "{\"loss\": \"ssim\", \"params\": {\"window\": 7}}",
                "{\"loss\": \"grad\"}",
                "{\"loss\": \"grad3\"}",
                "{\"loss\": \"lap1\"}",
                "{\"loss\": \"pyramid\", \"params\": {\"of\": {\"loss\": \"ssim\", \"params\": {\"window\": 3}},"
                        + " \"levels\": 2, \"weights\": [1, 0.5, 0.25]}}",
                "{\"loss\": \"window\", \"params\": {\"of\": {\"loss\": \"l1\"}, \"size\": 8, \"stride\": 4}}",
                "{\"loss\": \"sum\", \"params\": {\"terms\": [{\"weight\": 0.3, \"loss\": \"l2\"},"
                        + " {\"weight\": 2, \"loss\": \"grad\"}]}}");
    }

    static Loss create(String json) throws Exception {
        LossSpec spec = LossSpec.parse("test ", JSON.readTree(json));
        return catalog.create(spec, LabContext.of(manager, 7, catalog));
    }

    static NDArray images(long seed, DataType type) {
        manager.getEngine().setRandomSeed((int) seed);
        return manager.randomUniform(-0.9f, 0.9f, new Shape(2, 3, 16, 16)).toType(type, false);
    }

    @ParameterizedTest
    @MethodSource("specs")
    void gradientMatchesFiniteDifferences(String json) throws Exception {
        try (Loss loss = create(json)) {
            NDArray x = images(1, DataType.FLOAT64);
            NDArray y = images(2, DataType.FLOAT64);
            assertThat(LossChecks.gradientError(loss, x, y, 8, 1e-6, 3)).isLessThan(1e-6);
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void gradientSurvivesAGarbageCollectionBeforeBackward(String json) throws Exception {
        try (Loss loss = create(json)) {
            NDArray x = images(10, DataType.FLOAT32);
            NDArray y = images(11, DataType.FLOAT32);
            assertThat(LossChecks.gradientDriftUnderGarbageCollection(loss, x, y)).isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void gradientIsFiniteWhereXEqualsY(String json) throws Exception {
        try (Loss loss = create(json)) {
            assertThat(LossChecks.gradientFiniteAtEquality(loss, images(3, DataType.FLOAT32))).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void perPairValuesDoNotDependOnTheBatch(String json) throws Exception {
        try (Loss loss = create(json)) {
            NDArray x = images(4, DataType.FLOAT32);
            NDArray y = images(5, DataType.FLOAT32);
            assertThat(LossChecks.batchDependence(loss, x, y)).isLessThan(1e-5);
            assertThat(loss.distance(x, y).getShape()).isEqualTo(new Shape(2));
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void identicalImagesAreAtDistanceZero(String json) throws Exception {
        try (Loss loss = create(json)) {
            NDArray x = images(6, DataType.FLOAT32);
            for (float d : loss.distance(x, x.duplicate()).toFloatArray()) {
                assertThat(d).isBetween(0f, 1e-9f);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void leavesNoArraysBehindAcrossCalls(String json) throws Exception {
        try (NDManager constants = manager.newSubManager(); NDManager targets = manager.newSubManager();
             NDManager step = manager.newSubManager()) {
            LossSpec spec = LossSpec.parse("test ", JSON.readTree(json));
            try (Loss loss = catalog.create(spec, LabContext.of(constants, 7, catalog))) {
                NDArray y = images(8, DataType.FLOAT32);
                y.attach(targets);
                NDArray x = images(9, DataType.FLOAT32);
                x.attach(step);
                assertThat(LossChecks.arraysLeftBehind(loss, constants, x, y, 5)).isZero();
            }
        }
    }

    @Test
    void rejectsBadInputsNamingTheLoss() throws Exception {
        try (Loss loss = create("{\"loss\": \"ssim\", \"params\": {\"window\": 7}}")) {
            NDArray x = images(7, DataType.FLOAT32);
            assertThatThrownBy(() -> loss.distance(x.get(0), x.get(0)))
                    .isInstanceOf(PlabException.class).hasMessageContaining("loss 'ssim'")
                    .hasMessageContaining("(N, C, H, W)");
            assertThatThrownBy(() -> loss.distance(x, x.get(":, :, :8, :8")))
                    .isInstanceOf(PlabException.class).hasMessageContaining("same shape");
            NDArray nan = x.duplicate();
            nan.set(new ai.djl.ndarray.index.NDIndex("0, 0, 0, 0"), Float.NaN);
            assertThatThrownBy(() -> loss.distance(nan, x))
                    .isInstanceOf(PlabException.class).hasMessageContaining("NaN");
            assertThatThrownBy(() -> loss.distance(x.mul(3), x))
                    .isInstanceOf(PlabException.class).hasMessageContaining("outside [-1, 1]");
            assertThatThrownBy(() -> loss.distance(x.get(":, :, :5, :5"), x.get(":, :, :5, :5")))
                    .isInstanceOf(PlabException.class).hasMessageContaining("'window' (7)");
        }
    }

    @Test
    void rejectsBadParametersNamingThemAndTheRange() {
        assertThatThrownBy(() -> create("{\"loss\": \"ssim\", \"params\": {\"window\": 0}}"))
                .isInstanceOf(PlabException.class)
                .hasMessageContaining("loss 'ssim'").hasMessageContaining("'window'").hasMessageContaining("[1, 255]");
        assertThatThrownBy(() -> create("{\"loss\": \"l2\", \"params\": {\"sigma\": 1}}"))
                .isInstanceOf(PlabException.class).hasMessageContaining("unknown parameter 'sigma'");
        assertThatThrownBy(() -> create("{\"loss\": \"pyramid\", \"params\": {\"of\": {\"loss\": \"l2\"},"
                + " \"weights\": [1, 2]}}"))
                .isInstanceOf(PlabException.class).hasMessageContaining("levels + 1 = 3");
        assertThatThrownBy(() -> create("{\"loss\": \"pyramid\", \"params\": {\"of\": {\"loss\": \"nope\"}}}"))
                .isInstanceOf(PlabException.class).hasMessageContaining("no installed loss has id 'nope'");
        assertThatThrownBy(() -> create("{\"loss\": \"lap1\", \"params\": {\"kernelSize\": 4}}"))
                .isInstanceOf(PlabException.class).hasMessageContaining("must be odd");
    }

    @Test
    void compositeSpecsAreCanonicalWithInnerDefaults() throws Exception {
        try (Loss loss = create("{\"loss\": \"pyramid\", \"params\": {\"of\": {\"loss\": \"ssim\"}}}")) {
            ObjectNode params = loss.spec().params();
            assertThat(params.get("levels").asInt()).isEqualTo(2);
            assertThat(params.at("/of/params/window").asInt()).isEqualTo(11);
        }
    }
}
