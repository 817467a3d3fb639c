package org.perceptuallab.plugins.generative;

/**
 * TODO(fid-merge): a stand-in for the kit's {@code org.perceptuallab.kit.metrics.FeatureStatistics} and
 * {@code FrechetDistance} (being written on another branch), with the same signatures. When they land, delete
 * this file and import those two in {@link Evaluation} instead of these.
 *
 * <p>The Fréchet distance between Gaussians fitted to two feature sets, |mu_a - mu_b|^2 + tr(S_a) + tr(S_b) -
 * 2 tr((S_a S_b)^(1/2)), covariances over n - 1 as pytorch-fid's. Feature maps of deep losses are wider than
 * the sets are large (8,192 dimensions for 512 images), so the covariances are never formed: with A and B the
 * centred features, S_a = A^T A / (n_a - 1) and the eigenvalues of S_a S_b other than 0 are those of
 * (A B^T)(A B^T)^T / ((n_a - 1)(n_b - 1)), a matrix as large as the smaller set.
 */
final class FrechetStandIn {
    private static final int SWEEPS = 100;

    private FrechetStandIn() {
    }

    /** A feature set's mean and centred rows. */
    static final class FeatureStatistics {
        private final double[] mean;
        private final double[][] centred;

        private FeatureStatistics(double[] mean, double[][] centred) {
            this.mean = mean;
            this.centred = centred;
        }

        /** The statistics of features, one row per image; at least two rows. */
        static FeatureStatistics of(float[][] features) {
            int n = features.length;
            if (n < 2) {
                throw new IllegalArgumentException("a covariance needs two feature rows or more, got " + n);
            }
            int d = features[0].length;
            double[] mean = new double[d];
            for (float[] row : features) {
                for (int j = 0; j < d; j++) {
                    mean[j] += row[j];
                }
            }
            for (int j = 0; j < d; j++) {
                mean[j] /= n;
            }
            double[][] centred = new double[n][d];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    centred[i][j] = features[i][j] - mean[j];
                }
            }
            return new FeatureStatistics(mean, centred);
        }

        private double trace() {
            double sum = 0;
            for (double[] row : centred) {
                sum += dot(row, row);
            }
            return sum / (centred.length - 1);
        }
    }

    /** The Fréchet distance between the Gaussians of two feature statistics. */
    static final class FrechetDistance {
        private FrechetDistance() {
        }

        static double between(FeatureStatistics a, FeatureStatistics b) {
            if (a.mean.length != b.mean.length) {
                throw new IllegalArgumentException("features of " + a.mean.length + " and " + b.mean.length
                        + " dimensions");
            }
            double meanTerm = 0;
            for (int j = 0; j < a.mean.length; j++) {
                double diff = a.mean[j] - b.mean[j];
                meanTerm += diff * diff;
            }
            double[][] small = a.centred.length <= b.centred.length ? a.centred : b.centred;
            double[][] large = small == a.centred ? b.centred : a.centred;
            // cross = small large^T; its singular values squared are the eigenvalues of cross cross^T
            double[][] cross = new double[small.length][large.length];
            for (int i = 0; i < small.length; i++) {
                for (int k = 0; k < large.length; k++) {
                    cross[i][k] = dot(small[i], large[k]);
                }
            }
            double[][] gram = new double[small.length][small.length];
            for (int i = 0; i < small.length; i++) {
                for (int j = 0; j <= i; j++) {
                    gram[i][j] = dot(cross[i], cross[j]);
                    gram[j][i] = gram[i][j];
                }
            }
            double rootTrace = 0;
            for (double eigenvalue : symmetricEigenvalues(gram)) {
                rootTrace += Math.sqrt(Math.max(eigenvalue, 0));
            }
            rootTrace /= Math.sqrt((a.centred.length - 1.0) * (b.centred.length - 1.0));
            return Math.max(0, meanTerm + a.trace() + b.trace() - 2 * rootTrace);
        }
    }

    private static double dot(double[] x, double[] y) {
        double sum = 0;
        for (int j = 0; j < x.length; j++) {
            sum += x[j] * y[j];
        }
        return sum;
    }

    /** The eigenvalues of a symmetric matrix (destroyed) by cyclic Jacobi rotations. */
    static double[] symmetricEigenvalues(double[][] m) {
        int n = m.length;
        for (int sweep = 0; sweep < SWEEPS; sweep++) {
            double off = 0;
            double diagonal = 0;
            for (int p = 0; p < n; p++) {
                diagonal += m[p][p] * m[p][p];
                for (int q = p + 1; q < n; q++) {
                    off += m[p][q] * m[p][q];
                }
            }
            if (off <= 1e-30 * diagonal || off == 0) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (m[p][q] != 0) {
                        rotate(m, p, q);
                    }
                }
            }
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = m[i][i];
        }
        return out;
    }

    /** The Jacobi rotation in the (p, q) plane that zeroes m[p][q], applied on both sides. */
    private static void rotate(double[][] m, int p, int q) {
        double theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
        double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        if (theta == 0) {
            t = 1;
        }
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        for (int k = 0; k < m.length; k++) {
            double mkp = m[k][p];
            double mkq = m[k][q];
            m[k][p] = c * mkp - s * mkq;
            m[k][q] = s * mkp + c * mkq;
        }
        for (int k = 0; k < m.length; k++) {
            double mpk = m[p][k];
            double mqk = m[q][k];
            m[p][k] = c * mpk - s * mqk;
            m[q][k] = s * mpk + c * mqk;
        }
    }
}
