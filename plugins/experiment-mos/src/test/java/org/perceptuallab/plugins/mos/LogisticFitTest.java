package org.perceptuallab.plugins.mos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The logistic fit on data with a known logistic relation. */
class LogisticFitTest {
    @Test
    void fourParameterFitRecoversAKnownLogistic() {
        // y = b2 + (b1 - b2) / (1 + exp(-(x - b3) / b4)) with b = (5, 1, -0.6, 0.08), x = -distance in [-1.2, 0]
        double[] b = {5, 1, -0.6, 0.08};
        double[] x = new Random(2).doubles(200, -1.2, 0).toArray();
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = b[1] + (b[0] - b[1]) / (1 + Math.exp(-(x[i] - b[2]) / b[3]));
        }
        LogisticFit fit = LogisticFit.fit(x, y, 4);
        assertThat(fit.betaOnDataScale()).containsExactly(b, within(1e-5));
        for (int i = 0; i < x.length; i++) {
            assertThat(fit.predict(x[i])).isCloseTo(y[i], within(1e-6));
        }
        assertThat(Correlations.pearson(fit.predict(x), y)).isCloseTo(1, within(1e-9));
        assertThat(Correlations.pearson(x, y)).as("the raw relation is far from linear").isLessThan(0.97);
    }

    @Test
    void fiveParameterFitRecoversAKnownLogisticWithALinearTerm() {
        // y = b1 (1/2 - 1 / (1 + exp(b2 (x - b3)))) + b4 x + b5 with b = (3, 8, 0.5, 0.4, 2)
        double[] b = {3, 8, 0.5, 0.4, 2};
        double[] x = new Random(3).doubles(300, 0, 1).toArray();
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = b[0] * (0.5 - 1 / (1 + Math.exp(b[1] * (x[i] - b[2])))) + b[3] * x[i] + b[4];
        }
        LogisticFit fit = LogisticFit.fit(x, y, 5);
        assertThat(fit.betaOnDataScale()).containsExactly(b, within(1e-4));
        for (int i = 0; i < x.length; i++) {
            assertThat(fit.predict(x[i])).isCloseTo(y[i], within(1e-6));
        }
    }

    @Test
    void decreasingNoisyRelationIsFittedAndRaisesTheLinearCorrelation() {
        // a falling logistic with noise: the fit follows the fall, and PLCC after it beats the raw Pearson
        Random random = new Random(4);
        double[] x = random.doubles(400, 0, 10).toArray();
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = 9 - 8 / (1 + Math.exp(-(x[i] - 3))) + 0.2 * random.nextGaussian();
        }
        for (int parameters : new int[] {4, 5}) {
            LogisticFit fit = LogisticFit.fit(x, y, parameters);
            double plcc = Correlations.pearson(fit.predict(x), y);
            assertThat(plcc).as("%d parameters", parameters).isGreaterThan(Math.abs(Correlations.pearson(x, y)))
                    .isGreaterThan(0.98);
            assertThat(fit.predict(0)).as("%d parameters", parameters).isCloseTo(9 - 8 / (1 + Math.exp(3)),
                    within(0.2));
            assertThat(fit.predict(10)).as("%d parameters", parameters).isCloseTo(1, within(0.2));
        }
    }

    @Test
    void constantDistancesMapToTheMeanScore() {
        LogisticFit fit = LogisticFit.fit(new double[] {1, 1, 1}, new double[] {1, 2, 6}, 4);
        assertThat(fit.predict(1)).isEqualTo(3.0);
        assertThat(Correlations.pearson(fit.predict(new double[] {1, 1, 1}), new double[] {1, 2, 6})).isNaN();
    }
}
