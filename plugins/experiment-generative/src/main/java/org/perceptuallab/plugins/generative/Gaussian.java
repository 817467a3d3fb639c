package org.perceptuallab.plugins.generative;

import java.util.Random;

/**
 * A Gaussian with full covariance fitted to codes (maximum likelihood: the mean and the covariance over N),
 * sampled through its Cholesky factor. With fewer codes than dimensions the covariance is singular, so a
 * ridge of {@link #RIDGE} times its mean diagonal is added before factoring; {@link #ridge()} says how much.
 */
final class Gaussian {
    static final double RIDGE = 1e-6;

    private final double[] mean;
    private final double[][] covariance;
    private final double[][] cholesky;
    private final double ridge;

    private Gaussian(double[] mean, double[][] covariance, double[][] cholesky, double ridge) {
        this.mean = mean;
        this.covariance = covariance;
        this.cholesky = cholesky;
        this.ridge = ridge;
    }

    /** Fits codes, one row per code. */
    static Gaussian fit(double[][] codes) {
        int n = codes.length;
        int d = codes[0].length;
        double[] mean = new double[d];
        for (double[] c : codes) {
            for (int j = 0; j < d; j++) {
                mean[j] += c[j] / n;
            }
        }
        double[][] cov = new double[d][d];
        for (double[] c : codes) {
            for (int i = 0; i < d; i++) {
                double ci = c[i] - mean[i];
                for (int j = 0; j <= i; j++) {
                    cov[i][j] += ci * (c[j] - mean[j]) / n;
                }
            }
        }
        double trace = 0;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < i; j++) {
                cov[j][i] = cov[i][j];
            }
            trace += cov[i][i];
        }
        double ridge = RIDGE * Math.max(trace / d, Double.MIN_NORMAL);
        return new Gaussian(mean, cov, cholesky(cov, ridge), ridge);
    }

    /** The lower-triangular L with L L^T = a + ridge I. */
    private static double[][] cholesky(double[][] a, double ridge) {
        int d = a.length;
        double[][] l = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i][j] + (i == j ? ridge : 0);
                for (int k = 0; k < j; k++) {
                    s -= l[i][k] * l[j][k];
                }
                l[i][j] = i == j ? Math.sqrt(Math.max(s, 0)) : (l[j][j] == 0 ? 0 : s / l[j][j]);
            }
        }
        return l;
    }

    /** {@code count} draws mean + L e, e standard normal from {@code random}. */
    double[][] sample(Random random, int count) {
        int d = mean.length;
        double[][] out = new double[count][d];
        double[] e = new double[d];
        for (double[] row : out) {
            for (int j = 0; j < d; j++) {
                e[j] = random.nextGaussian();
            }
            for (int i = 0; i < d; i++) {
                double v = mean[i];
                for (int k = 0; k <= i; k++) {
                    v += cholesky[i][k] * e[k];
                }
                row[i] = v;
            }
        }
        return out;
    }

    double[] mean() {
        return mean.clone();
    }

    double[][] covariance() {
        return covariance;
    }

    double[][] cholesky() {
        return cholesky;
    }

    double ridge() {
        return ridge;
    }
}
