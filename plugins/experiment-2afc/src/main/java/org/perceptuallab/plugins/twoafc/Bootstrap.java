package org.perceptuallab.plugins.twoafc;

import java.util.Arrays;
import java.util.Random;

/** Percentile bootstrap of a mean: resample with replacement, seeded. */
final class Bootstrap {
    private Bootstrap() {
    }

    /** The 2.5% and 97.5% percentiles of the resampled means; NaN when there is nothing to resample. */
    static double[] interval95(double[] values, int resamples, long seed) {
        if (values.length == 0 || resamples == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        Random random = new Random(seed);
        double[] means = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            double sum = 0;
            for (int i = 0; i < values.length; i++) {
                sum += values[random.nextInt(values.length)];
            }
            means[r] = sum / values.length;
        }
        Arrays.sort(means);
        return new double[] {percentile(means, 0.025), percentile(means, 0.975)};
    }

    static double mean(double[] values) {
        return Arrays.stream(values).average().orElse(Double.NaN);
    }

    private static double percentile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
