package org.perceptuallab.plugins.pixel;

/**
 * PSNR, MS-SSIM and GMSD in float64 on plain arrays, written from the papers' formulas (Wang, Simoncelli and
 * Bovik 2003; Xue, Zhang, Mou and Bovik 2014) with none of the losses' rewriting: the moments as
 * E[x^2] - E[x]^2, GMS and its standard deviation as defined, the 2-D window applied directly.
 * Images are (C, H, W) arrays in [-1, 1], mapped to [0, 1] first as the losses do.
 */
final class ReferenceMetricsFormulas {
    private ReferenceMetricsFormulas() {
    }

    /** 10 log10(1 / MSE) on [0, 1]: infinite at x = y. */
    static double psnr(double[][][] x, double[][][] y) {
        double sum = 0;
        long n = 0;
        for (int c = 0; c < x.length; c++) {
            for (int i = 0; i < x[c].length; i++) {
                for (int j = 0; j < x[c][i].length; j++) {
                    double d = (x[c][i][j] - y[c][i][j]) / 2;
                    sum += d * d;
                    n++;
                }
            }
        }
        return 10 * Math.log10(n / sum);
    }

    /**
     * 1 - MS-SSIM: per channel, prod over scales j < M of max(mean cs_j, 0)^w_j times max(mean ssim_M, 0)^w_M,
     * scale j + 1 the 2 x 2 block mean of scale j; the mean over channels.
     */
    static double msSsimDistance(double[][][] x, double[][][] y, double[] weights, int window, double sigma,
                                 double k1, double k2) {
        double[][] w = gaussian(window, sigma);
        double total = 0;
        for (int c = 0; c < x.length; c++) {
            double[][] a = unit(x[c]);
            double[][] b = unit(y[c]);
            double product = 1;
            for (int j = 0; j < weights.length; j++) {
                if (j > 0) {
                    a = halve(a);
                    b = halve(b);
                }
                double[] means = ssimMeans(a, b, w, k1 * k1, k2 * k2);
                double term = j < weights.length - 1 ? means[1] : means[0];
                product *= Math.pow(Math.max(term, 0), weights[j]);
            }
            total += product;
        }
        return 1 - total / x.length;
    }

    /** {mean of l * cs, mean of cs} over the valid positions of the window. */
    private static double[] ssimMeans(double[][] a, double[][] b, double[][] w, double c1, double c2) {
        int k = w.length;
        int h = a.length - k + 1;
        int wd = a[0].length - k + 1;
        double ssim = 0;
        double cs = 0;
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < wd; j++) {
                double mx = 0;
                double my = 0;
                double xx = 0;
                double yy = 0;
                double xy = 0;
                for (int u = 0; u < k; u++) {
                    for (int v = 0; v < k; v++) {
                        double p = a[i + u][j + v];
                        double q = b[i + u][j + v];
                        double g = w[u][v];
                        mx += g * p;
                        my += g * q;
                        xx += g * p * p;
                        yy += g * q * q;
                        xy += g * p * q;
                    }
                }
                double sxx = xx - mx * mx;
                double syy = yy - my * my;
                double sxy = xy - mx * my;
                double l = (2 * mx * my + c1) / (mx * mx + my * my + c1);
                double s = (2 * sxy + c2) / (sxx + syy + c2);
                ssim += l * s;
                cs += s;
            }
        }
        return new double[] {ssim / (h * wd), cs / (h * wd)};
    }

    /** GMSD with population standard deviation; C is 1 (grey) or 3 (RGB, BT.601 luminance). */
    static double gmsd(double[][][] x, double[][][] y, double c) {
        double[][] mx = gradientMagnitude(halve(luminance(x)));
        double[][] my = gradientMagnitude(halve(luminance(y)));
        int n = mx.length * mx[0].length;
        double[] gms = new double[n];
        double mean = 0;
        for (int i = 0; i < mx.length; i++) {
            for (int j = 0; j < mx[0].length; j++) {
                double p = mx[i][j];
                double q = my[i][j];
                gms[i * mx[0].length + j] = (2 * p * q + c) / (p * p + q * q + c);
                mean += gms[i * mx[0].length + j] / n;
            }
        }
        double variance = 0;
        for (double v : gms) {
            variance += (v - mean) * (v - mean) / n;
        }
        return Math.sqrt(variance);
    }

    private static double[][] luminance(double[][][] image) {
        if (image.length == 1) {
            return unit(image[0]);
        }
        double[][] r = unit(image[0]);
        double[][] g = unit(image[1]);
        double[][] b = unit(image[2]);
        double[][] out = new double[r.length][r[0].length];
        for (int i = 0; i < r.length; i++) {
            for (int j = 0; j < r[0].length; j++) {
                out[i][j] = 0.299 * r[i][j] + 0.587 * g[i][j] + 0.114 * b[i][j];
            }
        }
        return out;
    }

    /** |(Prewitt_x, Prewitt_y)| with zeros outside the image, same size. */
    private static double[][] gradientMagnitude(double[][] y) {
        int h = y.length;
        int w = y[0].length;
        double[][] out = new double[h][w];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                double gx = 0;
                double gy = 0;
                for (int d = -1; d <= 1; d++) {
                    gx += (at(y, i + d, j - 1) - at(y, i + d, j + 1)) / 3;
                    gy += (at(y, i - 1, j + d) - at(y, i + 1, j + d)) / 3;
                }
                out[i][j] = Math.sqrt(gx * gx + gy * gy);
            }
        }
        return out;
    }

    private static double at(double[][] y, int i, int j) {
        return i < 0 || j < 0 || i >= y.length || j >= y[0].length ? 0 : y[i][j];
    }

    /** Means of 2 x 2 blocks (an odd last row or column dropped). */
    private static double[][] halve(double[][] a) {
        double[][] out = new double[a.length / 2][a[0].length / 2];
        for (int i = 0; i < out.length; i++) {
            for (int j = 0; j < out[0].length; j++) {
                out[i][j] = (a[2 * i][2 * j] + a[2 * i + 1][2 * j] + a[2 * i][2 * j + 1] + a[2 * i + 1][2 * j + 1]) / 4;
            }
        }
        return out;
    }

    private static double[][] unit(double[][] a) {
        double[][] out = new double[a.length][a[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                out[i][j] = (a[i][j] + 1) / 2;
            }
        }
        return out;
    }

    /** The normalised 2-D Gaussian of side k, centred on the middle tap. */
    private static double[][] gaussian(int k, double sigma) {
        double[][] w = new double[k][k];
        double sum = 0;
        int centre = k / 2;
        for (int u = 0; u < k; u++) {
            for (int v = 0; v < k; v++) {
                w[u][v] = Math.exp(-((u - centre) * (u - centre) + (v - centre) * (v - centre)) / (2 * sigma * sigma));
                sum += w[u][v];
            }
        }
        for (int u = 0; u < k; u++) {
            for (int v = 0; v < k; v++) {
                w[u][v] /= sum;
            }
        }
        return w;
    }
}
