package org.perceptuallab.plugins.deep;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/**
 * Plain float64 layers on (C, H, W) arrays, written from PyTorch's definitions, for tests that recompute a
 * trunk independently of the engine; and random weights rounded to float32, as a weights file holds them.
 */
final class Float64Layers {
    private Float64Layers() {
    }

    /** Cross-correlation of {@code in} with filters (out, in, k, k), plus bias, zero padding {@code pad}. */
    static double[][][] conv(double[][][] in, double[][][][] w, double[] bias, int stride, int pad) {
        int k = w[0][0].length;
        int h = (in[0].length + 2 * pad - k) / stride + 1;
        int wd = (in[0][0].length + 2 * pad - k) / stride + 1;
        double[][][] out = new double[w.length][h][wd];
        for (int o = 0; o < w.length; o++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < wd; j++) {
                    double s = bias[o];
                    for (int c = 0; c < in.length; c++) {
                        for (int u = 0; u < k; u++) {
                            int row = i * stride + u - pad;
                            if (row < 0 || row >= in[c].length) {
                                continue;
                            }
                            for (int v = 0; v < k; v++) {
                                int col = j * stride + v - pad;
                                if (col >= 0 && col < in[c][row].length) {
                                    s += w[o][c][u][v] * in[c][row][col];
                                }
                            }
                        }
                    }
                    out[o][i][j] = s;
                }
            }
        }
        return out;
    }

    static double[][][] relu(double[][][] a) {
        double[][][] out = new double[a.length][a[0].length][a[0][0].length];
        for (int c = 0; c < a.length; c++) {
            for (int i = 0; i < a[c].length; i++) {
                for (int j = 0; j < a[c][i].length; j++) {
                    out[c][i][j] = Math.max(a[c][i][j], 0);
                }
            }
        }
        return out;
    }

    /**
     * 3 x 3 windows at stride 2, no padding. With {@code ceil} the output side is ceil((n - 3) / 2) + 1 and the
     * last window may run past the input, taking the maximum of what lies inside (PyTorch's ceil_mode).
     */
    static double[][][] maxPool(double[][][] a, boolean ceil) {
        int h = side(a[0].length, ceil);
        int w = side(a[0][0].length, ceil);
        double[][][] out = new double[a.length][h][w];
        for (int c = 0; c < a.length; c++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    double m = Double.NEGATIVE_INFINITY;
                    for (int u = 2 * i; u < Math.min(2 * i + 3, a[c].length); u++) {
                        for (int v = 2 * j; v < Math.min(2 * j + 3, a[c][u].length); v++) {
                            m = Math.max(m, a[c][u][v]);
                        }
                    }
                    out[c][i][j] = m;
                }
            }
        }
        return out;
    }

    private static int side(int n, boolean ceil) {
        return ceil ? (n - 3 + 1) / 2 + 1 : (n - 3) / 2 + 1;
    }

    /** Filters (out, in, k, k) uniform in +-bound, rounded to float32. */
    static double[][][][] uniform(Random r, int out, int in, int k, double bound) {
        double[][][][] w = new double[out][in][k][k];
        for (double[][][] filter : w) {
            for (double[][] plane : filter) {
                for (double[] row : plane) {
                    for (int v = 0; v < k; v++) {
                        row[v] = (float) ((2 * r.nextDouble() - 1) * bound);
                    }
                }
            }
        }
        return w;
    }

    /** {@code n} values uniform in +-bound, rounded to float32. */
    static double[] uniform(Random r, int n, double bound) {
        double[] b = new double[n];
        for (int i = 0; i < n; i++) {
            b[i] = (float) ((2 * r.nextDouble() - 1) * bound);
        }
        return b;
    }

    static NDArray tensor(NDManager manager, double[][][][] w) {
        int o = w.length;
        int c = w[0].length;
        int k = w[0][0].length;
        float[] flat = new float[o * c * k * k];
        int i = 0;
        for (double[][][] filter : w) {
            for (double[][] plane : filter) {
                for (double[] row : plane) {
                    for (double v : row) {
                        flat[i++] = (float) v;
                    }
                }
            }
        }
        return manager.create(flat, new Shape(o, c, k, k));
    }

    static NDArray vector(NDManager manager, double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return manager.create(f);
    }

    /** Image {@code n} of a batch (N, C, H, W) as (C, H, W). */
    static double[][][] image(NDArray batch, int n) {
        Shape s = batch.getShape();
        int c = (int) s.get(1);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        double[] flat = batch.get(n).toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
        double[][][] out = new double[c][h][w];
        for (int i = 0; i < flat.length; i++) {
            out[i / (h * w)][i / w % h][i % w] = flat[i];
        }
        return out;
    }
}
