package org.perceptuallab.plugins.generative;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.perceptuallab.testkit.CatalogTest;

/**
 * The TorchScript transposed convolution against the definition, a naive loop in double: every output
 * value, and the gradients with respect to input and weight of sum(output * r) for a random r.
 */
class TransposedConvTest extends CatalogTest {

    @ParameterizedTest(name = "stride {0}, padding {1}, kernel {2}, {3}x{4} input")
    @CsvSource({"2, 1, 4, 3, 3", "1, 0, 4, 1, 1", "2, 0, 3, 2, 4", "3, 2, 5, 3, 2"})
    void valuesAndGradientsEqualANaiveLoop(int stride, int padding, int kernel, int height, int width) {
        int n = 2;
        int cin = 3;
        int cout = 2;
        int outH = (height - 1) * stride - 2 * padding + kernel;
        int outW = (width - 1) * stride - 2 * padding + kernel;
        Random random = new Random(stride * 31L + kernel);
        double[] x = gaussian(random, n * cin * height * width);
        double[] w = gaussian(random, cin * cout * kernel * kernel);
        double[] r = gaussian(random, n * cout * outH * outW);

        double[] expected = new double[r.length];
        double[] expectedGradX = new double[x.length];
        double[] expectedGradW = new double[w.length];
        for (int b = 0; b < n; b++) {
            for (int ci = 0; ci < cin; ci++) {
                for (int i = 0; i < height; i++) {
                    for (int j = 0; j < width; j++) {
                        int xi = ((b * cin + ci) * height + i) * width + j;
                        for (int co = 0; co < cout; co++) {
                            for (int ki = 0; ki < kernel; ki++) {
                                for (int kj = 0; kj < kernel; kj++) {
                                    int oi = i * stride - padding + ki;
                                    int oj = j * stride - padding + kj;
                                    if (oi < 0 || oj < 0 || oi >= outH || oj >= outW) {
                                        continue;
                                    }
                                    int wi = ((ci * cout + co) * kernel + ki) * kernel + kj;
                                    int yi = ((b * cout + co) * outH + oi) * outW + oj;
                                    expected[yi] += x[xi] * w[wi];
                                    expectedGradX[xi] += r[yi] * w[wi];
                                    expectedGradW[wi] += r[yi] * x[xi];
                                }
                            }
                        }
                    }
                }
            }
        }

        try (NDManager m = manager.newSubManager(); TransposedConv conv = new TransposedConv(m)) {
            NDArray xs = m.create(x, new Shape(n, cin, height, width));
            NDArray ws = m.create(w, new Shape(cin, cout, kernel, kernel));
            NDArray rs = m.create(r, new Shape(n, cout, outH, outW));
            xs.setRequiresGradient(true);
            ws.setRequiresGradient(true);
            NDArray y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                y = conv.apply(xs, ws, stride, padding);
                gc.backward(y.mul(rs).sum());
            }
            assertThat(y.getShape()).isEqualTo(new Shape(n, cout, outH, outW));
            assertThat(y.getDataType()).isEqualTo(DataType.FLOAT64);
            assertClose(y.toDoubleArray(), expected);
            assertClose(xs.getGradient().toDoubleArray(), expectedGradX);
            assertClose(ws.getGradient().toDoubleArray(), expectedGradW);
        }
    }

    private static void assertClose(double[] actual, double[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], within(1e-12));
        }
    }

    private static double[] gaussian(Random random, int count) {
        double[] v = new double[count];
        for (int i = 0; i < count; i++) {
            v[i] = random.nextGaussian();
        }
        return v;
    }
}
