package org.perceptuallab.kit.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.perceptuallab.api.PlabException;

/**
 * The mean and covariance of a set of feature vectors, the summary the Fréchet distance compares. Computed
 * in float64 whatever the features' type; the covariance is the unbiased one (divided by {@code count - 1}),
 * as numpy's {@code np.cov(features, rowvar=False)} computes it for pytorch-fid.
 *
 * @param mean the D feature means
 * @param covariance the D x D covariance, symmetric
 * @param count how many feature vectors were summarised
 */
public record FeatureStatistics(double[] mean, double[][] covariance, long count) {

    public FeatureStatistics {
        if (covariance.length != mean.length) {
            throw new PlabException("feature statistics: the mean has " + mean.length + " entries but the covariance "
                    + covariance.length + " rows; give a D x D covariance for D means");
        }
        for (double[] row : covariance) {
            if (row.length != mean.length) {
                throw new PlabException("feature statistics: a covariance row has " + row.length + " entries, not "
                        + mean.length + "; give a square D x D covariance");
            }
        }
    }

    /** The statistics of N feature vectors of D values each (rows). */
    public static FeatureStatistics of(float[][] features) {
        return of(Centred.of(features));
    }

    /** The statistics of an (N, D) array of features, of any floating type. */
    public static FeatureStatistics of(NDArray features) {
        if (features.getShape().dimension() != 2) {
            throw new PlabException("feature statistics need an (N, D) array of features, got shape "
                    + features.getShape());
        }
        int n = Math.toIntExact(features.getShape().get(0));
        int d = Math.toIntExact(features.getShape().get(1));
        return of(Centred.of(features.toType(DataType.FLOAT64, false).toDoubleArray(), n, d));
    }

    private static FeatureStatistics of(Centred c) {
        int d = c.mean().length;
        DMatrixRMaj cov = new DMatrixRMaj(d, d);
        CommonOps_DDRM.multTransA(1.0 / (c.rows().numRows - 1), c.rows(), c.rows(), cov);
        return new FeatureStatistics(c.mean(), rows(cov), c.rows().numRows);
    }

    /** A feature set's mean and its rows minus the mean (N x D), in float64: what a covariance is made of. */
    record Centred(double[] mean, DMatrixRMaj rows) {
        /** N feature vectors of D values each (rows), at least two. */
        static Centred of(float[][] features) {
            int n = features.length;
            int d = n == 0 ? 0 : features[0].length;
            double[] flat = new double[Math.multiplyExact(n, d)];
            for (int i = 0; i < n; i++) {
                if (features[i].length != d) {
                    throw new PlabException("feature statistics: row " + i + " has " + features[i].length
                            + " features but row 0 has " + d + "; give N vectors of one length");
                }
                for (int j = 0; j < d; j++) {
                    flat[i * d + j] = features[i][j];
                }
            }
            return of(flat, n, d);
        }

        /** N x D values, row-major, centred in place. */
        static Centred of(double[] rowMajor, int n, int d) {
            if (n < 2) {
                throw new PlabException("feature statistics need at least 2 feature vectors for a covariance, got "
                        + n + "; give more images");
            }
            double[] mean = new double[d];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    mean[j] += rowMajor[i * d + j];
                }
            }
            for (int j = 0; j < d; j++) {
                mean[j] /= n;
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    rowMajor[i * d + j] -= mean[j];
                }
            }
            return new Centred(mean, DMatrixRMaj.wrap(n, d, rowMajor));
        }

        /** tr(S), the covariance's trace: the sum of squares of the centred rows over N - 1. */
        double trace() {
            double norm = NormOps_DDRM.normF(rows);
            return norm * norm / (rows.numRows - 1);
        }
    }

    /** The number of features per vector. */
    public int dimension() {
        return mean.length;
    }

    private static double[][] rows(DMatrixRMaj m) {
        double[][] rows = new double[m.numRows][];
        for (int i = 0; i < m.numRows; i++) {
            rows[i] = Arrays.copyOfRange(m.data, i * m.numCols, (i + 1) * m.numCols);
        }
        return rows;
    }

    DMatrixRMaj covarianceMatrix() {
        return new DMatrixRMaj(covariance);
    }
}
