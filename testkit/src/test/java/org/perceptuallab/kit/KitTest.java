package org.perceptuallab.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.SimpleLoss;
import org.perceptuallab.runtime.conformance.LossChecks;
import org.perceptuallab.kit.io.NumpyArrays;
import org.perceptuallab.kit.tensor.Draws;
import org.perceptuallab.kit.tensor.Ops;
import org.perceptuallab.testkit.CatalogTest;

/** The kit's shared pieces on tiny tensors checked by hand. */
class KitTest extends CatalogTest {
    private static NDArray ramp(int h, int w) {
        float[] v = new float[h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        return manager.create(v, new Shape(1, 1, h, w));
    }

    @Test
    void reflectPadMirrorsWithoutRepeatingTheEdge() {
        // numpy.pad([[0,1,2],[3,4,5]], 1, 'reflect') row 1 is [4, 3, 4, 5, 4]
        NDArray padded = Ops.reflectPad(ramp(2, 3), 1);
        assertThat(padded.getShape()).isEqualTo(new Shape(1, 1, 4, 5));
        assertThat(padded.get("0, 0, 1").toFloatArray()).containsExactly(1, 0, 1, 2, 1);
        assertThat(padded.get("0, 0, 0").toFloatArray()).containsExactly(4, 3, 4, 5, 4);
    }

    @Test
    void replicatePadRepeatsTheEdge() {
        NDArray padded = Ops.replicatePad(ramp(2, 3), 2);
        assertThat(padded.get("0, 0, 0").toFloatArray()).containsExactly(0, 0, 0, 1, 2, 2, 2);
    }

    @Test
    void patchesFollowUnfoldOrder() {
        // 2 channels of 3x3; patch 2, stride 1: 4 positions, vectors ordered channel, row, column.
        float[] v = new float[18];
        for (int i = 0; i < 18; i++) {
            v[i] = i;
        }
        NDArray p = Ops.patches(manager.create(v, new Shape(1, 2, 3, 3)), 2, 1);
        assertThat(p.getShape()).isEqualTo(new Shape(1, 8, 4));
        assertThat(p.get("0, :, 0").toFloatArray()).containsExactly(0, 1, 3, 4, 9, 10, 12, 13);
        assertThat(p.get("0, :, 3").toFloatArray()).containsExactly(4, 5, 7, 8, 13, 14, 16, 17);
    }

    @Test
    void drawsRepeatForASeedAndContinueAcrossCalls() {
        Draws a = new Draws(42);
        Draws b = new Draws(42);
        float[] first = a.normal(manager, new Shape(5)).toFloatArray();
        assertThat(b.normal(manager, new Shape(5)).toFloatArray()).containsExactly(first);
        assertThat(a.normal(manager, new Shape(5)).toFloatArray()).isNotEqualTo(first);
    }

    @Test
    void npyRoundTripsAndRejectsGarbage(@TempDir Path dir) throws Exception {
        NDArray a = manager.create(new double[] {1.5, -2, 3, 4, 5, 6}, new Shape(2, 3));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NumpyArrays.writeNpy(a, out);
        Path file = dir.resolve("a.npy");
        Files.write(file, out.toByteArray());
        NDArray back = NumpyArrays.readNpy(manager, file);
        assertThat(back.getShape()).isEqualTo(new Shape(2, 3));
        assertThat(back.getDataType()).isEqualTo(DataType.FLOAT64);
        assertThat(back.toDoubleArray()).containsExactly(1.5, -2, 3, 4, 5, 6);
        Files.writeString(dir.resolve("bad.npy"), "not numpy");
        assertThatThrownBy(() -> NumpyArrays.readNpy(manager, dir.resolve("bad.npy")))
                .isInstanceOf(PlabException.class).hasMessageContaining("bad magic");
    }

    @Test
    void gradientCheckCatchesAWrongGradient() {
        Params none = ParamSpec.of().resolve("test", null);
        // d = mean(x * stop_gradient(x)): autograd sees half of the true gradient 2x.
        SimpleLoss wrong = SimpleLoss.of("wrong", none,
                (x, y) -> Ops.meanPerSample(x.mul(x.stopGradient()).sub(y)));
        SimpleLoss right = SimpleLoss.of("right", none, (x, y) -> Ops.meanPerSample(x.mul(x).sub(y)));
        NDArray x = manager.randomUniform(-1, 1, new Shape(2, 1, 4, 4)).toType(DataType.FLOAT64, false);
        NDArray y = manager.zeros(x.getShape(), DataType.FLOAT64);
        assertThat(LossChecks.gradientError(right, x, y, 6, 1e-6, 1)).isLessThan(1e-7);
        assertThat(LossChecks.gradientError(wrong, x, y, 6, 1e-6, 1)).isGreaterThan(0.2);
        assertThat(new LossSpec("right", none.json()).toString()).isEqualTo("right");
    }
}
