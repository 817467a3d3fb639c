package org.perceptuallab.plugins.mos;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The monotonic logistic mapping the VQEG prescribes before PLCC, fitted by Levenberg-Marquardt least squares:
 * <ul>
 *   <li>4 parameters: f(x) = b2 + (b1 - b2) / (1 + exp(-(x - b3) / b4));</li>
 *   <li>5 parameters (Sheikh et al. 2006): f(x) = b1 (1/2 - 1 / (1 + exp(b2 (x - b3)))) + b4 x + b5.</li>
 * </ul>
 * It is fitted on standardised x and y (zero mean, unit deviation), where one starting point and one damping
 * scale suit every data set; {@link #predict} maps back to the scores' scale.
 *
 * @param parameters 4 or 5
 * @param beta the fitted parameters, on the standardised scales
 */
record LogisticFit(int parameters, double[] beta, double meanX, double sdX, double meanY, double sdY) {
    private static final int MAX_ITERATIONS = 500;

    /**
     * The least-squares fit of y on x. With a constant x or y there is nothing to fit: the mapping is then the
     * constant mean of y.
     */
    static LogisticFit fit(double[] x, double[] y, int parameters) {
        if (parameters != 4 && parameters != 5) {
            throw new IllegalArgumentException("a logistic of 4 or 5 parameters, not " + parameters);
        }
        double mx = mean(x);
        double my = mean(y);
        double sx = sd(x, mx);
        double sy = sd(y, my);
        if (sx == 0 || sy == 0) {
            return new LogisticFit(parameters, null, mx, 1, my, 1);
        }
        double[] z = Arrays.stream(x).map(v -> (v - mx) / sx).toArray();
        double[] u = Arrays.stream(y).map(v -> (v - my) / sy).toArray();
        double direction = Math.signum(Correlations.pearson(x, y));
        double sign = direction == 0 ? 1 : direction;
        double[] start = parameters == 4
                ? new double[] {2 * sign, -2 * sign, 0, 1}
                : new double[] {4 * sign, 1, 0, 0, 0};
        return new LogisticFit(parameters, levenbergMarquardt(parameters, z, u, start), mx, sx, my, sy);
    }

    /** The fitted score for x. */
    double predict(double x) {
        if (beta == null) {
            return meanY;
        }
        return meanY + sdY * value(parameters, beta, (x - meanX) / sdX);
    }

    /** The fitted scores for each x. */
    double[] predict(double[] x) {
        return Arrays.stream(x).map(this::predict).toArray();
    }

    /** The parameters on the data's own scales: x and the scores as given. */
    double[] betaOnDataScale() {
        if (beta == null) {
            return new double[0];
        }
        if (parameters == 4) {
            return new double[] {meanY + sdY * beta[0], meanY + sdY * beta[1], meanX + sdX * beta[2], sdX * beta[3]};
        }
        return new double[] {sdY * beta[0], beta[1] / sdX, meanX + sdX * beta[2], sdY * beta[3] / sdX,
                meanY + sdY * (beta[4] - beta[3] * meanX / sdX)};
    }

    private static double value(int parameters, double[] b, double z) {
        if (parameters == 4) {
            return b[1] + (b[0] - b[1]) * sigmoid((z - b[2]) / b[3]);
        }
        return b[0] * (0.5 - sigmoid(-b[1] * (z - b[2]))) + b[3] * z + b[4];
    }

    /** d f / d b at z. */
    private static void gradient(int parameters, double[] b, double z, double[] out) {
        if (parameters == 4) {
            double t = (z - b[2]) / b[3];
            double s = sigmoid(t);
            double slope = (b[0] - b[1]) * s * (1 - s);
            out[0] = s;
            out[1] = 1 - s;
            out[2] = -slope / b[3];
            out[3] = -slope * t / b[3];
        } else {
            // q = 1 / (1 + exp(b2 (z - b3))) = sigmoid(-b2 (z - b3)); dq/d(b2 (z - b3)) = -q (1 - q)
            double q = sigmoid(-b[1] * (z - b[2]));
            double slope = b[0] * q * (1 - q);
            out[0] = 0.5 - q;
            out[1] = slope * (z - b[2]);
            out[2] = -slope * b[1];
            out[3] = z;
            out[4] = 1;
        }
    }

    /** 1 / (1 + exp(-t)) without overflow. */
    private static double sigmoid(double t) {
        if (t >= 0) {
            return 1 / (1 + Math.exp(-t));
        }
        double e = Math.exp(t);
        return e / (1 + e);
    }

    /**
     * Minimises sum (u - f(z))^2 from {@code start}: each step solves (J'J + lambda diag(J'J)) delta = J'r, kept when
     * it lowers the sum (lambda / 10), else retried with lambda x 10; stops when a step no longer lowers it by a
     * relative 1e-12 or lambda passes 1e12.
     */
    private static double[] levenbergMarquardt(int k, double[] z, double[] u, double[] start) {
        double[] b = start.clone();
        double sse = sse(k, b, z, u);
        double lambda = 1e-3;
        double[] g = new double[k];
        DMatrixRMaj normal = new DMatrixRMaj(k, k);
        DMatrixRMaj rhs = new DMatrixRMaj(k, 1);
        DMatrixRMaj step = new DMatrixRMaj(k, 1);
        for (int iteration = 0; iteration < MAX_ITERATIONS && lambda < 1e12; iteration++) {
            normal.zero();
            rhs.zero();
            for (int i = 0; i < z.length; i++) {
                gradient(k, b, z[i], g);
                double r = u[i] - value(k, b, z[i]);
                for (int p = 0; p < k; p++) {
                    rhs.add(p, 0, g[p] * r);
                    for (int q = 0; q < k; q++) {
                        normal.add(p, q, g[p] * g[q]);
                    }
                }
            }
            while (lambda < 1e12) {
                DMatrixRMaj damped = normal.copy();
                for (int p = 0; p < k; p++) {
                    damped.add(p, p, lambda * normal.get(p, p) + 1e-12);
                }
                double[] candidate = b.clone();
                if (CommonOps_DDRM.solve(damped, rhs, step)) {
                    for (int p = 0; p < k; p++) {
                        candidate[p] += step.get(p, 0);
                    }
                }
                double candidateSse = sse(k, candidate, z, u);
                if (candidateSse < sse) {
                    boolean converged = sse - candidateSse <= 1e-12 * sse;
                    b = candidate;
                    sse = candidateSse;
                    lambda = Math.max(lambda / 10, 1e-12);
                    if (converged) {
                        return b;
                    }
                    break;
                }
                lambda *= 10;
            }
        }
        return b;
    }

    private static double sse(int k, double[] b, double[] z, double[] u) {
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            double r = u[i] - value(k, b, z[i]);
            sum += r * r;
        }
        return Double.isNaN(sum) ? Double.POSITIVE_INFINITY : sum;
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    private static double sd(double[] v, double mean) {
        return Math.sqrt(Arrays.stream(v).map(a -> (a - mean) * (a - mean)).sum() / v.length);
    }
}
