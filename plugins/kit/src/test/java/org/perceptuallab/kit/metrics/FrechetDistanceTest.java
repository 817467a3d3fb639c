package org.perceptuallab.kit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.perceptuallab.api.PlabException;

class FrechetDistanceTest {

    static float[][] features(long seed, int n, int d, double scale, double shift) {
        Random random = new Random(seed);
        float[][] f = new float[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                // correlated columns, so the covariances are not diagonal
                f[i][j] = (float) (shift + scale * (random.nextGaussian() + (j > 0 ? 0.5 * f[i][j - 1] : 0)));
            }
        }
        return f;
    }

    @Test
    void statisticsAreTheMeanAndUnbiasedCovarianceInFloat64() {
        float[][] f = features(1, 9, 4, 2.0, 0.3);
        FeatureStatistics s = FeatureStatistics.of(f);
        for (int j = 0; j < 4; j++) {
            double mean = 0;
            for (float[] row : f) {
                mean += row[j];
            }
            mean /= 9;
            assertThat(s.mean()[j]).isCloseTo(mean, within(1e-12));
            for (int k = 0; k < 4; k++) {
                double c = 0;
                double meanK = 0;
                for (float[] row : f) {
                    meanK += row[k] / 9.0;
                }
                for (float[] row : f) {
                    c += (row[j] - mean) * (row[k] - meanK);
                }
                assertThat(s.covariance()[j][k]).isCloseTo(c / 8, within(1e-12));
            }
        }
        assertThat(s.count()).isEqualTo(9);
    }

    @Test
    void identicalSetsAreZeroApart() {
        FeatureStatistics s = FeatureStatistics.of(features(2, 50, 12, 1.0, 0));
        assertThat(FrechetDistance.between(s, s)).isCloseTo(0, within(1e-9));
    }

    @Test
    void diagonalGaussiansHaveTheClosedForm() {
        double[] mu1 = {0.5, -1, 2};
        double[] mu2 = {0, 1, 2.5};
        double[] var1 = {1, 4, 0.25};
        double[] var2 = {9, 1, 0.01};
        double expected = 0;
        for (int i = 0; i < 3; i++) {
            double sd = Math.sqrt(var1[i]) - Math.sqrt(var2[i]);
            expected += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]) + sd * sd;
        }
        double fid = FrechetDistance.between(diagonal(mu1, var1), diagonal(mu2, var2));
        assertThat(expected).isCloseTo(0.25 + 4 + 0.25 + 4 + 1 + 0.16, within(1e-12));
        assertThat(fid).isCloseTo(expected, within(1e-12));
    }

    /**
     * Two dimensions, plainly: the eigenvalues l1, l2 of S1 S2 are real and non-negative, and
     * (sqrt l1 + sqrt l2)^2 = tr(S1 S2) + 2 sqrt(det S1 det S2).
     */
    @Test
    void twoDimensionsMatchAPlainRecomputation() {
        FeatureStatistics a = FeatureStatistics.of(features(3, 30, 2, 1.5, 0.2));
        FeatureStatistics b = FeatureStatistics.of(features(4, 40, 2, 0.7, -0.4));
        double[][] s1 = a.covariance();
        double[][] s2 = b.covariance();
        double trProduct = s1[0][0] * s2[0][0] + s1[0][1] * s2[1][0] + s1[1][0] * s2[0][1] + s1[1][1] * s2[1][1];
        double det1 = s1[0][0] * s1[1][1] - s1[0][1] * s1[1][0];
        double det2 = s2[0][0] * s2[1][1] - s2[0][1] * s2[1][0];
        double traceOfRoot = Math.sqrt(trProduct + 2 * Math.sqrt(det1 * det2));
        double expected = Math.pow(a.mean()[0] - b.mean()[0], 2) + Math.pow(a.mean()[1] - b.mean()[1], 2)
                + s1[0][0] + s1[1][1] + s2[0][0] + s2[1][1] - 2 * traceOfRoot;
        assertThat(expected).isGreaterThan(0.1);
        assertThat(FrechetDistance.between(a, b)).isCloseTo(expected, within(1e-12 * expected));
    }

    @Test
    void isSymmetric() {
        FeatureStatistics a = FeatureStatistics.of(features(5, 80, 24, 1.0, 0));
        FeatureStatistics b = FeatureStatistics.of(features(6, 60, 24, 1.3, 0.1));
        double ab = FrechetDistance.between(a, b);
        assertThat(ab).isGreaterThan(1);
        assertThat(FrechetDistance.between(b, a)).isCloseTo(ab, within(1e-10 * ab));
    }

    /**
     * Two samples have a rank-one covariance S1 = v v^T (v = (x1 - x2) / sqrt 2): S1 S2 = v (v^T S2) has one
     * non-zero eigenvalue, v^T S2 v, so tr(sqrtm(S1 S2)) = sqrt(v^T S2 v), finite though S1 is singular.
     */
    @Test
    void fewerSamplesThanDimensionsStayFiniteAndExact() {
        float[][] two = features(7, 2, 16, 1.0, 0.5);
        FeatureStatistics a = FeatureStatistics.of(two);
        FeatureStatistics b = FeatureStatistics.of(features(8, 5, 16, 0.8, 0));
        double[] v = new double[16];
        for (int i = 0; i < 16; i++) {
            v[i] = ((double) two[0][i] - two[1][i]) / Math.sqrt(2);
        }
        double vs2v = 0;
        double expected = 0;
        for (int i = 0; i < 16; i++) {
            for (int j = 0; j < 16; j++) {
                vs2v += v[i] * b.covariance()[i][j] * v[j];
            }
            expected += Math.pow(a.mean()[i] - b.mean()[i], 2) + a.covariance()[i][i] + b.covariance()[i][i];
        }
        expected -= 2 * Math.sqrt(vs2v);
        double fid = FrechetDistance.between(a, b);
        assertThat(fid).isFinite().isCloseTo(expected, within(1e-9 * expected));
        assertThat(FrechetDistance.between(b, a)).isCloseTo(expected, within(1e-9 * expected));
    }

    @Test
    void aLargeImaginaryPartIsAnErrorNamingItsCause() {
        FeatureStatistics notACovariance = diagonal(new double[] {0, 0}, new double[] {-1, 1});
        FeatureStatistics unit = diagonal(new double[] {0, 0}, new double[] {1, 1});
        assertThatThrownBy(() -> FrechetDistance.between(unit, notACovariance)).isInstanceOf(PlabException.class)
                .hasMessageContaining("imaginary part of 1.0").hasMessageContaining("not positive semi-definite");
        assertThatThrownBy(() -> FrechetDistance.between(notACovariance, unit))
                .hasMessageContaining("imaginary part of 1.0");
    }

    @Test
    void aRootThatStaysInfiniteAfterTheDiagonalOffsetIsAnError() {
        FeatureStatistics huge = diagonal(new double[] {0, 0}, new double[] {1e200, 1e200});
        assertThatThrownBy(() -> FrechetDistance.between(huge, huge)).isInstanceOf(PlabException.class)
                .hasMessageContaining("not finite, even with 1.0E-6 added");
    }

    @Test
    void mismatchedDimensionsAreNamed() {
        FeatureStatistics a = FeatureStatistics.of(features(9, 5, 3, 1, 0));
        FeatureStatistics b = FeatureStatistics.of(features(9, 5, 4, 1, 0));
        assertThatThrownBy(() -> FrechetDistance.between(a, b)).hasMessageContaining("3 and 4 features");
        assertThatThrownBy(() -> FeatureStatistics.of(new float[1][3])).hasMessageContaining("at least 2");
    }

    static FeatureStatistics diagonal(double[] mean, double[] variances) {
        double[][] cov = new double[mean.length][mean.length];
        for (int i = 0; i < mean.length; i++) {
            cov[i][i] = variances[i];
        }
        return new FeatureStatistics(mean, cov, 100);
    }

    /** sin(0.7 i + 1.3 j + phase) + 0.1 j, rounded to float. */
    private static float[][] waves(int n, int d, double phase) {
        float[][] out = new float[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                out[i][j] = (float) (Math.sin(0.7 * i + 1.3 * j + phase) + 0.1 * j);
            }
        }
        return out;
    }

    /**
     * Golden values from numpy in float64: mean and np.cov of each set, tr sqrtm(S_a S_b) as
     * tr sqrt(S_a^1/2 S_b S_a^1/2) through np.linalg.eigh.
     */
    @Test
    void fromFeaturesMatchesNumpyWithMoreVectorsThanDimensionsAndWithFewer() {
        assertThat(FrechetDistance.betweenFeatures(waves(6, 4, 0), waves(5, 4, 0.5)))
                .isCloseTo(0.09060592773159337, within(1e-7));
        assertThat(FrechetDistance.betweenFeatures(waves(3, 8, 0), waves(4, 8, 2)))
                .isCloseTo(8.409378633678667, within(1e-7));
    }

    @Test
    void theLowRankRouteEqualsTheCovarianceRouteAndIsZeroOnASetAndItself() {
        float[][] a = waves(5, 40, 0.3);
        float[][] b = waves(7, 40, 1.1);
        double viaCovariances = FrechetDistance.between(FeatureStatistics.of(a), FeatureStatistics.of(b));
        assertThat(FrechetDistance.betweenFeatures(a, b)).isCloseTo(viaCovariances, within(1e-9 * viaCovariances));
        assertThat(FrechetDistance.betweenFeatures(a, a)).isCloseTo(0, within(1e-9));
    }
}
