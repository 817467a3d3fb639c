package org.perceptuallab.plugins.mos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** SRCC and KRCC against plain O(n^2) float64 definitions, ties included. */
class CorrelationsTest {
    /** Average ranks by definition: 1 + (values below) + (other values equal) / 2. */
    static double[] plainRanks(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            int below = 0;
            int equal = 0;
            for (double w : v) {
                below += w < v[i] ? 1 : 0;
                equal += w == v[i] ? 1 : 0;
            }
            r[i] = 1 + below + (equal - 1) / 2.0;
        }
        return r;
    }

    static double plainPearson(double[] x, double[] y) {
        double mx = 0;
        double my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i] / x.length;
            my += y[i] / y.length;
        }
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    static double plainSpearman(double[] x, double[] y) {
        return plainPearson(plainRanks(x), plainRanks(y));
    }

    /** Tau-b over all pairs: (concordant - discordant) / sqrt((pairs untied in x) (pairs untied in y)). */
    static double plainKendallTauB(double[] x, double[] y) {
        double s = 0;
        double untiedX = 0;
        double untiedY = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = i + 1; j < x.length; j++) {
                double a = Math.signum(x[i] - x[j]);
                double b = Math.signum(y[i] - y[j]);
                s += a * b;
                untiedX += a != 0 ? 1 : 0;
                untiedY += b != 0 ? 1 : 0;
            }
        }
        return s / Math.sqrt(untiedX * untiedY);
    }

    @Test
    void spearmanAndKendallEqualTheirDefinitionsWithManyTies() {
        Random random = new Random(11);
        for (int trial = 0; trial < 20; trial++) {
            int n = 5 + random.nextInt(300);
            double[] x = new double[n];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                // a few distinct values on each side (ties in x, in y and in both), and a dependence
                x[i] = random.nextInt(1 + trial);
                y[i] = trial % 2 == 0 ? random.nextInt(4) + 0.3 * x[i] : random.nextGaussian() - x[i];
            }
            if (trial == 0) {
                continue; // x constant: undefined, checked below
            }
            assertThat(Correlations.spearman(x, y)).as("trial %d", trial)
                    .isCloseTo(plainSpearman(x, y), within(1e-12));
            assertThat(Correlations.kendallTauB(x, y)).as("trial %d", trial)
                    .isCloseTo(plainKendallTauB(x, y), within(1e-12));
        }
    }

    @Test
    void monotoneRelationsScoreOneAndMinusOneAndConstantsAreUndefined() {
        double[] x = {0.1, 0.5, 0.2, 3, 1};
        double[] up = {1, 2, 1.5, 10, 7};
        double[] down = {5, 1, 4, -2, 0};
        assertThat(Correlations.spearman(x, up)).isEqualTo(1.0);
        assertThat(Correlations.kendallTauB(x, up)).isEqualTo(1.0);
        assertThat(Correlations.spearman(x, down)).isEqualTo(-1.0);
        assertThat(Correlations.kendallTauB(x, down)).isEqualTo(-1.0);
        assertThat(Correlations.spearman(x, new double[] {2, 2, 2, 2, 2})).isNaN();
        assertThat(Correlations.kendallTauB(new double[] {2, 2, 2, 2, 2}, x)).isNaN();
    }

    @Test
    void tiedValuesShareTheirAverageRank() {
        assertThat(Correlations.ranks(new double[] {3, 1, 3, 2, 3})).containsExactly(4, 1, 4, 2, 4);
    }
}
