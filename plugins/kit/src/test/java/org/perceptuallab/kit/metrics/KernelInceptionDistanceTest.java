package org.perceptuallab.kit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class KernelInceptionDistanceTest {

    /** The unbiased MMD^2 of whole sets of equal size under (x.y / d + 1)^3, by plain loops. */
    static double plainMmd2(float[][] x, float[][] y) {
        int n = x.length;
        int d = x[0].length;
        double xx = 0;
        double yy = 0;
        double xy = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    xx += Math.pow(dot(x[i], x[j]) / d + 1, 3);
                    yy += Math.pow(dot(y[i], y[j]) / d + 1, 3);
                }
                xy += Math.pow(dot(x[i], y[j]) / d + 1, 3);
            }
        }
        return xx / (n * (n - 1.0)) + yy / (n * (n - 1.0)) - 2 * xy / ((double) n * n);
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    @Test
    void wholeSetSubsetsGiveThePlainUnbiasedEstimate() {
        float[][] x = FrechetDistanceTest.features(11, 14, 6, 1.0, 0);
        float[][] y = FrechetDistanceTest.features(12, 14, 6, 1.2, 0.3);
        double expected = plainMmd2(x, y);
        assertThat(Math.abs(expected)).isGreaterThan(0.05);
        try (NDManager m = NDManager.newBaseManager()) {
            // every subset is a whole set, reordered: each estimate is the same number
            KernelInceptionDistance.Result kid = KernelInceptionDistance.between(m.create(x), m.create(y), 5, 1000, 1);
            assertThat(kid.subsetSize()).isEqualTo(14);
            assertThat(kid.mean()).isCloseTo(expected, within(1e-12 * Math.abs(expected)));
            assertThat(kid.standardError()).isCloseTo(0, within(1e-12));
            KernelInceptionDistance.Result swapped = KernelInceptionDistance.between(m.create(y), m.create(x), 5, 14, 1);
            assertThat(swapped.mean()).isCloseTo(expected, within(1e-12 * Math.abs(expected)));
            assertThat(m.getManagedArrays()).hasSize(4);
        }
    }

    @Test
    void subsetsAreSeededAndSpread() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(FrechetDistanceTest.features(13, 40, 5, 1.0, 0));
            NDArray y = m.create(FrechetDistanceTest.features(14, 30, 5, 1.0, 0.5));
            KernelInceptionDistance.Result one = KernelInceptionDistance.between(x, y, 20, 10, 42);
            KernelInceptionDistance.Result again = KernelInceptionDistance.between(x, y, 20, 10, 42);
            KernelInceptionDistance.Result other = KernelInceptionDistance.between(x, y, 20, 10, 43);
            assertThat(again).isEqualTo(one);
            assertThat(other.mean()).isNotEqualTo(one.mean());
            assertThat(one.standardError()).isGreaterThan(0).isLessThan(Math.abs(one.mean()));
            // subsets of the whole of y: their mean is near the whole-set estimate
            assertThat(one.mean()).isCloseTo(other.mean(), within(5 * (one.standardError() + other.standardError())));
            assertThatThrownBy(() -> KernelInceptionDistance.between(x, y, 1, 10, 1)).hasMessageContaining("at least 2 subsets");
        }
    }
}
