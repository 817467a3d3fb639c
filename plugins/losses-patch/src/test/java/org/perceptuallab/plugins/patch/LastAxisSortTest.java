package org.perceptuallab.plugins.patch;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.EnumSource.Mode;
import org.perceptuallab.testkit.CatalogTest;

/** The Java radix sort gives the engine's sorted values and gradients. */
class LastAxisSortTest extends CatalogTest {
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT32", "FLOAT64"}, mode = Mode.INCLUDE)
    void sortsLikeTheEngineWithSpecialValues(DataType type) {
        try (NDManager scope = manager.newSubManager()) {
            double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0, 1e-40,
                -1e-40, 3.5, -3.5, 3.5, Double.MAX_VALUE, -Double.MIN_VALUE, Double.NaN, 1.0};
            NDArray withSpecials = scope.create(special, new Shape(2, 7)).toType(type, false);
            assertThat(values(LastAxisSort.sorted(withSpecials))).containsExactly(values(withSpecials.sort(1)));

            NDArray random = scope.randomNormal(new Shape(3, 5, 4099)).toType(type, false);
            assertThat(values(LastAxisSort.sorted(random))).containsExactly(values(random.sort(2)));
        }
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT32", "FLOAT64"}, mode = Mode.INCLUDE)
    void passesTheEngineSortsGradient(DataType type) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.randomNormal(new Shape(2, 3, 500)).toType(type, false);
            NDArray weights = scope.randomNormal(new Shape(2, 3, 500)).toType(type, false);
            assertThat(gradient(x, weights, LastAxisSort::sorted))
                    .containsExactly(gradient(x, weights, a -> a.sort(2)));
        }
    }

    /** The values as doubles, -0.0 as 0.0: the two are equal, so sorts may place them either way round. */
    private static double[] values(NDArray a) {
        return java.util.Arrays.stream(a.toType(DataType.FLOAT64, false).toDoubleArray()).map(v -> v + 0.0).toArray();
    }

    private static double[] gradient(NDArray x, NDArray weights, UnaryOperator<NDArray> sort) {
        NDArray input = x.duplicate();
        input.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(sort.apply(input).mul(weights).sum());
        }
        return values(input.getGradient());
    }
}
