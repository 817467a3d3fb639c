package org.perceptuallab.plugins.mos;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * The correlation coefficients of image quality assessment, in float64: Pearson's (PLCC), Spearman's (SRCC: Pearson's
 * of the ranks, tied values sharing their average rank) and Kendall's tau-b (KRCC, corrected for ties), the latter
 * by Knight's O(n log n) count so that a bootstrap over ten thousand pairs stays quick.
 */
final class Correlations {
    private Correlations() {
    }

    /** Pearson's correlation; NaN when either side is constant or there are fewer than two pairs. */
    static double pearson(double[] x, double[] y) {
        int n = x.length;
        if (n < 2) {
            return Double.NaN;
        }
        double mx = Arrays.stream(x).average().orElseThrow();
        double my = Arrays.stream(y).average().orElseThrow();
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            double dx = x[i] - mx;
            double dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
    }

    /** Spearman's rank correlation. */
    static double spearman(double[] x, double[] y) {
        return pearson(ranks(x), ranks(y));
    }

    /**
     * Ranks from 1, ties sharing the mean of the ranks they span: a value's equals occupy sorted positions
     * first..last, found by binary search in a sorted copy (a primitive sort, as the bootstrap ranks thousands of
     * resamples).
     */
    static double[] ranks(double[] v) {
        double[] sorted = v.clone();
        Arrays.sort(sorted);
        double[] ranks = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            int first = firstNotBelow(sorted, v[i]);
            int last = firstAbove(sorted, v[i]) - 1;
            ranks[i] = (first + last) / 2.0 + 1;
        }
        return ranks;
    }

    private static int firstNotBelow(double[] sorted, double value) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static int firstAbove(double[] sorted, double value) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * Kendall's tau-b: (concordant - discordant) / sqrt((n0 - tiesX) (n0 - tiesY)), n0 = n(n-1)/2. Knight's
     * count: sort by x (then y), count the pairs tied in x and in both, merge-sort y counting exchanges (the
     * discordant pairs), then count the pairs tied in y. NaN when either side is constant.
     */
    static double kendallTauB(double[] x, double[] y) {
        int n = x.length;
        if (n < 2) {
            return Double.NaN;
        }
        Integer[] boxed = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(boxed, Comparator.<Integer>comparingDouble(i -> x[i]).thenComparingDouble(i -> y[i]));
        double[] sortedX = new double[n];
        double[] ys = new double[n];
        for (int k = 0; k < n; k++) {
            sortedX[k] = x[boxed[k]];
            ys[k] = y[boxed[k]];
        }
        long pairs = (long) n * (n - 1) / 2;
        long tiedX = tiedPairs(sortedX, null);
        long tiedBoth = tiedPairs(sortedX, ys);
        long exchanges = mergeSortCountingExchanges(ys, new double[n], 0, n);
        long tiedY = tiedPairs(ys, null);
        double denominator = Math.sqrt((double) (pairs - tiedX) * (pairs - tiedY));
        if (denominator == 0) {
            return Double.NaN;
        }
        return (pairs - tiedX - tiedY + tiedBoth - 2.0 * exchanges) / denominator;
    }

    /** Pairs within runs of equal values of sorted {@code a} (and, where given, equal {@code b} too). */
    private static long tiedPairs(double[] a, double[] b) {
        long tied = 0;
        long run = 1;
        for (int k = 1; k <= a.length; k++) {
            if (k < a.length && a[k] == a[k - 1] && (b == null || b[k] == b[k - 1])) {
                run++;
            } else {
                tied += run * (run - 1) / 2;
                run = 1;
            }
        }
        return tied;
    }

    /** Sorts v[from, to) ascending; returns how many pairs it found out of order (strictly greater first). */
    private static long mergeSortCountingExchanges(double[] v, double[] scratch, int from, int to) {
        if (to - from < 2) {
            return 0;
        }
        int mid = (from + to) >>> 1;
        long exchanges = mergeSortCountingExchanges(v, scratch, from, mid)
                + mergeSortCountingExchanges(v, scratch, mid, to);
        int i = from;
        int j = mid;
        int k = from;
        while (i < mid || j < to) {
            if (j >= to || (i < mid && v[i] <= v[j])) {
                scratch[k++] = v[i++];
            } else {
                exchanges += mid - i;
                scratch[k++] = v[j++];
            }
        }
        System.arraycopy(scratch, from, v, from, to - from);
        return exchanges;
    }
}
