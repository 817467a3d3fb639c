package org.perceptuallab.kit.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.perceptuallab.runtime.conformance.LossChecks;
import org.perceptuallab.testkit.CatalogTest;

/**
 * {@link Ops#conv2d} in float32 against the same convolution in float64 (ATen's own route, no oneDNN), value
 * and gradients, for the shapes the plugins use and those whose oneDNN backward pass was found wrong on AMD
 * Zen 5. Run under every CPU kernel path by CI ({@code ATEN_CPU_CAPABILITY}, {@code ONEDNN_MAX_CPU_ISA}), it
 * fails on a machine whose engine computes one of them wrongly.
 */
class ConvolutionGradientTest extends CatalogTest {
    /** float32 against float64 on values of order 1: rounding gives about 1e-6. */
    private static final double LIMIT = 1e-4;

    @ParameterizedTest(name = "{0} -> {1} channels, kernel {2}, stride {3}, padding {4}, groups {5}, batch {6}")
    @CsvSource({
        // few outputs, ungrouped: computed tap by tap (oneDNN's backward was wrong for these)
        "1, 1, 3, 1, 1, 1, 3", "1, 1, 11, 1, 5, 1, 3", "3, 1, 3, 1, 1, 1, 3", "8, 8, 3, 1, 1, 1, 3",
        "32, 1, 4, 2, 1, 1, 16", "64, 3, 3, 1, 0, 1, 3", "3, 15, 5, 2, 2, 1, 2",
        // the engine's route: VGG stages, random-feature filters, depthwise filters, one-hot patch kernels
        "3, 64, 3, 1, 1, 1, 3", "64, 64, 3, 1, 1, 1, 2", "3, 16, 3, 1, 0, 1, 3", "3, 64, 7, 1, 0, 1, 3",
        "3, 64, 11, 1, 0, 1, 3", "3, 3, 11, 1, 0, 3, 8", "3, 27, 3, 1, 0, 3, 3", "3, 147, 7, 2, 0, 3, 3"})
    void float32AgreesWithFloat64InValueAndGradients(int in, int out, int kernel, int stride, int padding, int groups,
                                                     int batch) {
        try (NDManager scope = manager.newSubManager()) {
            Random random = new Random(in * 1000L + out * 10L + kernel);
            NDArray x = uniform(scope, random, new Shape(batch, in, 24, 24));
            NDArray w = uniform(scope, random, new Shape(out, in / groups, kernel, kernel));
            NDArray bias = uniform(scope, random, new Shape(out));
            long side = (24 + 2L * padding - kernel) / stride + 1;
            NDArray weights = uniform(scope, random, new Shape(batch, out, side, side));
            double[][] single = run(x, w, bias, weights, DataType.FLOAT32, stride, padding, groups);
            double[][] wide = run(x, w, bias, weights, DataType.FLOAT64, stride, padding, groups);
            String[] what = {"value", "gradient with respect to x", "gradient with respect to the weight"};
            for (int k = 0; k < what.length; k++) {
                assertThat(LossChecks.relativeToLargest(single[k], wide[k])).as(what[k]).isLessThan(LIMIT);
            }
        }
    }

    /** The transposed convolution against its definition: each input pixel adds weight * value at stride steps. */
    @ParameterizedTest(name = "{0} -> {1} channels, kernel {2}, stride {3}, padding {4}")
    @CsvSource({"2, 3, 4, 2, 1", "1, 4, 3, 1, 0", "3, 1, 4, 2, 0"})
    void transposedConvolutionFollowsItsDefinition(int in, int out, int kernel, int stride, int padding) {
        try (NDManager scope = manager.newSubManager()) {
            Random random = new Random(in + 10L * out);
            int side = 5;
            NDArray x = uniform(scope, random, new Shape(2, in, side, side));
            NDArray w = uniform(scope, random, new Shape(in, out, kernel, kernel));
            double[] xs = doubles(x);
            double[] ws = doubles(w);
            int full = (side - 1) * stride + kernel;
            int cropped = full - 2 * padding;
            double[] expected = new double[2 * out * cropped * cropped];
            for (int n = 0; n < 2; n++) {
                for (int c = 0; c < in; c++) {
                    for (int i = 0; i < side; i++) {
                        for (int j = 0; j < side; j++) {
                            for (int o = 0; o < out; o++) {
                                for (int a = 0; a < kernel; a++) {
                                    for (int b = 0; b < kernel; b++) {
                                        int r = i * stride + a - padding;
                                        int q = j * stride + b - padding;
                                        if (r >= 0 && r < cropped && q >= 0 && q < cropped) {
                                            expected[((n * out + o) * cropped + r) * cropped + q] +=
                                                    xs[((n * in + c) * side + i) * side + j]
                                                            * ws[((c * out + o) * kernel + a) * kernel + b];
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            NDArray single = Ops.convTranspose2d(x.toType(DataType.FLOAT32, false), w.toType(DataType.FLOAT32, false),
                    stride, padding);
            assertThat(single.getShape()).isEqualTo(new Shape(2, out, cropped, cropped));
            assertThat(LossChecks.relativeToLargest(doubles(single), expected)).isLessThan(LIMIT);
        }
    }

    private static NDArray uniform(NDManager scope, Random random, Shape shape) {
        double[] v = new double[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = 2 * random.nextDouble() - 1;
        }
        return scope.create(v, shape);
    }

    /** The convolution, and the gradients of sum(out * weights) with respect to x and w, in {@code type}. */
    private static double[][] run(NDArray x64, NDArray w64, NDArray b64, NDArray r64, DataType type, int stride,
                                  int padding, int groups) {
        NDManager m = x64.getManager();
        try (NDManager scope = m.newSubManager()) {
            NDArray x = x64.toType(type, true);
            NDArray w = w64.toType(type, true);
            x.attach(scope);
            w.attach(scope);
            x.setRequiresGradient(true);
            w.setRequiresGradient(true);
            NDArray out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                out = Ops.conv2d(x, w, b64.toType(type, false), stride, padding, groups);
                gc.backward(out.mul(r64.toType(type, false)).sum());
            }
            return new double[][] {doubles(out), doubles(x.getGradient()), doubles(w.getGradient())};
        }
    }

    private static double[] doubles(NDArray a) {
        return a.toType(DataType.FLOAT64, false).toDoubleArray();
    }
}
