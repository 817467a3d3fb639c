package org.perceptuallab.testkit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The study's Laplacian pyramid recomputed in float64 loops, for tests of the losses built on it: for each
 * level, blurred = kernel * replicate_pad(current), band = current - blurred, current = 2 x 2 average pool
 * (floor) of blurred; the last band is the final current. Images are {@code [channel][row][column]}.
 */
public final class StudyPyramid {
    private StudyPyramid() {
    }

    /**
     * The study's blur kernel k[i][j] = (g(i) + g(j)) / sum, g(t) = exp(-(t - c)^2 / (2 sigma^2))^2, c = size / 2
     * (a sum, not a product), rounded to float32 as the study stores it.
     */
    public static double[][] kernel(int size, double sigma) {
        int c = size / 2;
        double[] g = new double[size];
        for (int t = 0; t < size; t++) {
            g[t] = Math.pow(Math.exp(-(t - c) * (t - c) / (2 * sigma * sigma)), 2);
        }
        double sum = 0;
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                sum += g[i] + g[j];
            }
        }
        double[][] k = new double[size][size];
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                k[i][j] = (float) ((g[i] + g[j]) / sum);
            }
        }
        return k;
    }

    /** The levels + 1 bands of one image. */
    public static List<double[][][]> bands(double[][][] image, int levels, double[][] kernel) {
        List<double[][][]> out = new ArrayList<>();
        double[][][] current = image;
        for (int level = 0; level < levels; level++) {
            double[][][] blurred = blur(current, kernel);
            double[][][] band = new double[current.length][current[0].length][current[0][0].length];
            for (int c = 0; c < band.length; c++) {
                for (int i = 0; i < band[0].length; i++) {
                    for (int j = 0; j < band[0][0].length; j++) {
                        band[c][i][j] = current[c][i][j] - blurred[c][i][j];
                    }
                }
            }
            out.add(band);
            current = halve(blurred);
        }
        out.add(current);
        return out;
    }

    private static double[][][] blur(double[][][] a, double[][] k) {
        int h = a[0].length;
        int w = a[0][0].length;
        int r = k.length / 2;
        double[][][] out = new double[a.length][h][w];
        for (int c = 0; c < a.length; c++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    double s = 0;
                    for (int u = 0; u < k.length; u++) {
                        for (int v = 0; v < k.length; v++) {
                            int row = Math.min(h - 1, Math.max(0, i + u - r));
                            int col = Math.min(w - 1, Math.max(0, j + v - r));
                            s += k[u][v] * a[c][row][col];
                        }
                    }
                    out[c][i][j] = s;
                }
            }
        }
        return out;
    }

    private static double[][][] halve(double[][][] a) {
        int h = a[0].length / 2;
        int w = a[0][0].length / 2;
        double[][][] out = new double[a.length][h][w];
        for (int c = 0; c < a.length; c++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    out[c][i][j] = (a[c][2 * i][2 * j] + a[c][2 * i + 1][2 * j] + a[c][2 * i][2 * j + 1]
                            + a[c][2 * i + 1][2 * j + 1]) / 4;
                }
            }
        }
        return out;
    }

    /** A batch of n images of c x h x w values drawn uniformly from [-amplitude, amplitude]. */
    public static double[][][][] uniform(Random r, int n, int c, int h, int w, double amplitude) {
        double[][][][] a = new double[n][c][h][w];
        for (double[][][] image : a) {
            for (double[][] plane : image) {
                for (double[] row : plane) {
                    for (int j = 0; j < row.length; j++) {
                        row[j] = amplitude * (2 * r.nextDouble() - 1);
                    }
                }
            }
        }
        return a;
    }

    /** A batch (N, C, H, W) as {@code [n][channel][row][column]}. */
    public static double[][][][] arrays(NDArray a) {
        Shape s = a.getShape();
        int c = (int) s.get(1);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        double[] flat = a.toType(DataType.FLOAT64, false).toDoubleArray();
        double[][][][] out = new double[(int) s.get(0)][c][h][w];
        for (int i = 0; i < flat.length; i++) {
            out[i / (c * h * w)][i / (h * w) % c][i / w % h][i % w] = flat[i];
        }
        return out;
    }

    /** {@code [n][channel][row][column]} as a float64 batch. */
    public static NDArray batch(NDManager manager, double[][][][] a) {
        int n = a.length;
        int c = a[0].length;
        int h = a[0][0].length;
        int w = a[0][0][0].length;
        double[] flat = new double[n * c * h * w];
        int k = 0;
        for (double[][][] image : a) {
            for (double[][] plane : image) {
                for (double[] row : plane) {
                    for (double v : row) {
                        flat[k++] = v;
                    }
                }
            }
        }
        return manager.create(flat, new Shape(n, c, h, w));
    }
}
