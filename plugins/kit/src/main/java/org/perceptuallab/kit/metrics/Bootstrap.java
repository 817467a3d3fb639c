package org.perceptuallab.kit.metrics;

import java.util.Arrays;
import java.util.Random;

/**
 * Percentile bootstrap, seeded: resample the cases with replacement, compute the statistic on each resample, and
 * take the 2.5% and 97.5% percentiles of those values as a 95% interval.
 */
public final class Bootstrap {
    private Bootstrap() {
    }

    /** A statistic of the cases at these indices (a resample: indices repeat). */
    @FunctionalInterface
    public interface Statistic {
        double of(int[] sample);
    }

    /**
     * The 95% interval of {@code statistic} over {@code resamples} resamples of {@code cases} cases; resamples
     * where the statistic is undefined (NaN) are left out. NaN when there is nothing to resample.
     */
    public static double[] interval95(int cases, int resamples, long seed, Statistic statistic) {
        if (cases == 0 || resamples == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        Random random = new Random(seed);
        int[] sample = new int[cases];
        double[] values = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            for (int i = 0; i < cases; i++) {
                sample[i] = random.nextInt(cases);
            }
            values[r] = statistic.of(sample);
        }
        double[] defined = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (defined.length == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        return new double[] {percentile(defined, 0.025), percentile(defined, 0.975)};
    }

    /** The 95% interval of the mean of {@code values}. */
    public static double[] meanInterval95(double[] values, int resamples, long seed) {
        return interval95(values.length, resamples, seed, sample -> {
            double sum = 0;
            for (int i : sample) {
                sum += values[i];
            }
            return sum / sample.length;
        });
    }

    /** The mean; NaN for no values. */
    public static double mean(double[] values) {
        return Arrays.stream(values).average().orElse(Double.NaN);
    }

    private static double percentile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
