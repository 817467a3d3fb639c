package org.perceptuallab.plugins.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.perceptuallab.api.Loss;
import org.perceptuallab.kit.io.Images;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.Fixtures;
import org.perceptuallab.testkit.TestLab;

/**
 * patch-swd between images of different sizes, as the study compares them: the larger patch set subsampled at
 * random to the smaller's count.
 */
class PatchSwdSizesTest extends CatalogTest {
    private static final String PARAMS = "{\"patchSize\": 3, \"projections\": 32, \"seed\": 5}";

    private static Loss create(String params) {
        return PatchLossContractTest.create("patch-swd", params, 1);
    }

    /**
     * Any subset of a constant image's patches is the same set, so against a 32 x 32 constant image the
     * subsampled distance must equal the equal-size distance against a 24 x 24 one (the golden-checked path).
     */
    @Test
    void aSubsampledConstantImageGivesTheEqualSizeDistance() {
        try (Loss loss = create(PARAMS)) {
            NDArray y = PatchLossContractTest.pair(24, DataType.FLOAT64, 8)[1];
            NDArray large = manager.full(new Shape(2, 3, 32, 32), 0.3f, DataType.FLOAT64);
            NDArray same = manager.full(new Shape(2, 3, 24, 24), 0.3f, DataType.FLOAT64);
            double[] subsampled = loss.distance(large, y).toDoubleArray();
            double[] equalSize = loss.distance(same, y).toDoubleArray();
            for (int n = 0; n < equalSize.length; n++) {
                assertThat(subsampled[n]).isCloseTo(equalSize[n], within(1e-12 * equalSize[n]));
            }
            assertThat(loss.distance(y, large).toDoubleArray()).as("the smaller image first")
                    .containsExactly(subsampled);
        }
    }

    /** The subset is fixed by the seed: one loss repeats itself, a loss of another seed draws another subset. */
    @Test
    void theSubsetIsFixedByTheSeedAndTheDistanceSymmetric() {
        NDArray x = PatchLossContractTest.pair(32, DataType.FLOAT64, 9)[0];
        NDArray y = PatchLossContractTest.pair(20, DataType.FLOAT64, 10)[0];
        try (Loss loss = create(PARAMS); Loss again = create(PARAMS);
             Loss other = create("{\"patchSize\": 3, \"projections\": 32, \"seed\": 6}")) {
            double[] d = loss.distance(x, y).toDoubleArray();
            assertThat(loss.distance(x, y).toDoubleArray()).containsExactly(d);
            assertThat(again.distance(x, y).toDoubleArray()).containsExactly(d);
            assertThat(loss.distance(y, x).toDoubleArray()).containsExactly(d);
            assertThat(other.distance(x, y).toDoubleArray()).isNotEqualTo(d);
        }
    }

    @Test
    void gradientThroughTheSubsetMatchesFiniteDifferences() {
        try (Loss loss = create(PARAMS)) {
            NDArray x = PatchLossContractTest.pair(24, DataType.FLOAT64, 11)[0];
            NDArray y = PatchLossContractTest.pair(16, DataType.FLOAT64, 12)[1];
            assertThat(TestLab.gradientError(loss, x, y, 8, 1e-6, 3)).isLessThan(1e-4);
        }
    }

    /** What it is for: a texture is nearer a smaller crop of itself than a crop of another texture. */
    @Test
    void aTextureIsNearerASmallerCropOfItselfThanAnotherTexture() {
        try (Loss loss = create("{\"patchSize\": 5, \"projections\": 64, \"seed\": 5}")) {
            NDArray grass = photo("grass.png");
            NDArray smallGrass = photo("grass.png").get(":, :, 40:88, 60:108");
            NDArray smallGravel = photo("gravel.png").get(":, :, 40:88, 60:108");
            NDArray grassCrop = grass.get(":, :, 64:128, 0:64");
            double itself = loss.distance(grassCrop, smallGrass).getDouble(0);
            double other = loss.distance(grassCrop, smallGravel).getDouble(0);
            assertThat(itself).isLessThan(other / 2);
        }
    }

    private static NDArray photo(String name) {
        return Images.load(manager, Fixtures.photo(name), 3, 128, 128).toType(DataType.FLOAT64, false);
    }
}
