package org.perceptuallab.plugins.generative;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.perceptuallab.plugins.generative.FrechetStandIn.FeatureStatistics;
import org.perceptuallab.plugins.generative.FrechetStandIn.FrechetDistance;

/**
 * The stand-in Fréchet distance against numpy (TODO(fid-merge): goes with the stand-in). Golden values:
 * mean and np.cov of each set, tr sqrtm(S_a S_b) as tr sqrt(S_a^1/2 S_b S_a^1/2) through np.linalg.eigh, in
 * float64, on the features below.
 */
class FrechetStandInTest {

    /** sin(0.7 i + 1.3 j + phase) + 0.1 j, rounded to float. */
    private static float[][] features(int n, int d, double phase) {
        float[][] out = new float[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                out[i][j] = (float) (Math.sin(0.7 * i + 1.3 * j + phase) + 0.1 * j);
            }
        }
        return out;
    }

    @Test
    void matchesNumpyWithMoreImagesThanDimensionsAndWithFewer() {
        assertThat(FrechetDistance.between(FeatureStatistics.of(features(6, 4, 0)),
                FeatureStatistics.of(features(5, 4, 0.5)))).isCloseTo(0.09060592773159337, within(1e-6));
        assertThat(FrechetDistance.between(FeatureStatistics.of(features(3, 8, 0)),
                FeatureStatistics.of(features(4, 8, 2)))).isCloseTo(8.409378633678667, within(1e-6));
    }

    @Test
    void isZeroBetweenASetAndItself() {
        FeatureStatistics a = FeatureStatistics.of(features(7, 12, 1));
        assertThat(FrechetDistance.between(a, a)).isCloseTo(0, within(1e-9));
    }
}
