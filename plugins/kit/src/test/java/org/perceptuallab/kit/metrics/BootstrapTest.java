package org.perceptuallab.kit.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BootstrapTest {
    @Test
    void meanIntervalIsSeededAndBracketsTheMean() {
        double[] v = new Random(1).doubles(200).map(x -> x < 0.7 ? 1 : 0).toArray();
        double[] a = Bootstrap.meanInterval95(v, 500, 5);
        assertThat(Bootstrap.meanInterval95(v, 500, 5)).containsExactly(a);
        assertThat(a[0]).isLessThan(Bootstrap.mean(v)).isGreaterThan(Bootstrap.mean(v) - 0.15);
        assertThat(a[1]).isGreaterThan(Bootstrap.mean(v)).isLessThan(Bootstrap.mean(v) + 0.15);
    }

    @Test
    void resamplesWhereTheStatisticIsUndefinedAreLeftOut() {
        // The statistic is NaN whenever case 0 is drawn; the interval comes from the other resamples (all 1).
        double[] a = Bootstrap.interval95(3, 200, 7, sample -> {
            for (int i : sample) {
                if (i == 0) {
                    return Double.NaN;
                }
            }
            return 1;
        });
        assertThat(a).containsExactly(1.0, 1.0);
        assertThat(Bootstrap.interval95(3, 50, 7, sample -> Double.NaN)).containsOnly(Double.NaN);
        assertThat(Bootstrap.interval95(0, 50, 7, sample -> 1)).containsOnly(Double.NaN);
    }
}
