package org.perceptuallab.plugins.pixel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.TestLab;

/**
 * What the pixel losses owe their users beyond the contract every loss keeps
 * ({@link PixelLossesKeepTheContractTest}): lp's gradient below p = 1, the error contract, canonical specs.
 */
class PixelContractTest extends CatalogTest {
    static Loss create(String json) {
        return lab.loss(json, manager, 7);
    }

    static NDArray images(long seed, DataType type) {
        manager.getEngine().setRandomSeed((int) seed);
        return manager.randomUniform(-0.9f, 0.9f, new Shape(2, 3, 16, 16)).toType(type, false);
    }

    /**
     * lp below p = 1 on independent images (the contract test's nearby pairs put some |x - y| where the
     * curvature defeats central differences).
     */
    @Test
    void lpBelowOneHasTheGradientOfFiniteDifferences() throws Exception {
        try (Loss loss = create("{\"loss\": \"lp\", \"params\": {\"p\": 0.5}}")) {
            NDArray x = images(1, DataType.FLOAT64);
            NDArray y = images(2, DataType.FLOAT64);
            assertThat(TestLab.gradientError(loss, x, y, 8, 1e-6, 3)).isLessThan(1e-6);
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
