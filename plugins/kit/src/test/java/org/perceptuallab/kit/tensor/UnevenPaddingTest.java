package org.perceptuallab.kit.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class UnevenPaddingTest {

    /** Few outputs in float32 take the tap-by-tap route, many the engine's; both equal a float64 engine pass. */
    @Test
    void rowAndColumnPaddingKeepTheSizeOnBothRoutes() {
        try (NDManager m = NDManager.newBaseManager()) {
            Draws draws = new Draws(3);
            NDArray x = draws.normal(m, new Shape(2, 3, 9, 11));
            for (int outputs : new int[] {4, 32}) {
                NDArray row = draws.normal(m, new Shape(outputs, 3, 1, 7));
                NDArray bias = draws.normal(m, new Shape(outputs));
                NDArray y = Ops.conv2d(x, row, bias, 1, new Shape(0, 3));
                NDArray reference = Ops.conv2d(x.toType(DataType.FLOAT64, false), row.toType(DataType.FLOAT64, false),
                        bias.toType(DataType.FLOAT64, false), 1, new Shape(0, 3));
                assertThat(y.getShape()).isEqualTo(new Shape(2, outputs, 9, 11));
                assertThat(y.getDataType()).isEqualTo(DataType.FLOAT32);
                double error = y.toType(DataType.FLOAT64, false).sub(reference).abs().max().getDouble();
                assertThat(error).as(outputs + " outputs").isCloseTo(0, within(1e-5));
                NDArray column = draws.normal(m, new Shape(outputs, 3, 7, 1));
                assertThat(Ops.conv2d(x, column, null, 2, new Shape(3, 0)).getShape())
                        .isEqualTo(new Shape(2, outputs, 5, 6));
            }
        }
    }
}
