package org.perceptuallab.kit.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.Random;
import org.perceptuallab.api.PlabException;

/**
 * The kernel inception distance (KID, Bińkowski et al. 2018): the unbiased estimate of the squared maximum mean
 * discrepancy between two feature sets under the cubic polynomial kernel {@code k(x, y) = (x.y / D + 1)^3},
 * averaged over random subsets drawn without replacement from each set. Float64 throughout.
 */
public final class KernelInceptionDistance {
    /** The usual number of subsets. */
    public static final int DEFAULT_SUBSETS = 100;
    /** The usual subset size (smaller sets use their whole size). */
    public static final int DEFAULT_SUBSET_SIZE = 1000;

    /**
     * @param mean the mean of the subsets' MMD^2 estimates
     * @param standardError their standard deviation (n - 1) over the square root of the number of subsets
     * @param subsets how many subsets were drawn
     * @param subsetSize the feature vectors per subset, from each set
     */
    public record Result(double mean, double standardError, int subsets, int subsetSize) {
    }

    private KernelInceptionDistance() {
    }

    /** KID with the usual 100 subsets of min(1000, N) vectors. */
    public static Result between(NDArray a, NDArray b, long seed) {
        return between(a, b, DEFAULT_SUBSETS, DEFAULT_SUBSET_SIZE, seed);
    }

    /**
     * KID between the (N, D) and (M, D) feature arrays {@code a} and {@code b}.
     *
     * @param subsets how many subset pairs to average over, at least 2 (for a standard error)
     * @param subsetSize the vectors per subset, capped at the smaller set's size
     * @param seed the seed of the subset draws
     */
    public static Result between(NDArray a, NDArray b, int subsets, int subsetSize, long seed) {
        if (a.getShape().dimension() != 2 || b.getShape().dimension() != 2
                || a.getShape().get(1) != b.getShape().get(1)) {
            throw new PlabException("KID needs two (N, D) feature arrays of one D, got " + a.getShape() + " and "
                    + b.getShape());
        }
        if (subsets < 2) {
            throw new PlabException("KID needs at least 2 subsets for a standard error, got " + subsets);
        }
        int n = Math.toIntExact(a.getShape().get(0));
        int m = Math.toIntExact(b.getShape().get(0));
        int size = Math.min(subsetSize, Math.min(n, m));
        if (size < 2) {
            throw new PlabException("KID needs at least 2 feature vectors per set and subset, got sets of " + n
                    + " and " + m + " and subsets of " + subsetSize);
        }
        double dimension = a.getShape().get(1);
        Random random = new Random(seed);
        double[] estimates = new double[subsets];
        try (NDManager scope = a.getManager().newSubManager()) {
            NDArray x = a.toType(DataType.FLOAT64, true);
            NDArray y = b.toType(DataType.FLOAT64, true);
            x.attach(scope);
            y.attach(scope);
            for (int s = 0; s < subsets; s++) {
                try (NDManager step = scope.newSubManager()) {
                    NDArray xs = x.get(new NDIndex("{}", step.create(draw(random, n, size))));
                    NDArray ys = y.get(new NDIndex("{}", step.create(draw(random, m, size))));
                    xs.attach(step);
                    ys.attach(step);
                    estimates[s] = unbiasedMmd2(xs, ys, dimension, size);
                }
            }
        }
        double mean = 0;
        for (double e : estimates) {
            mean += e / subsets;
        }
        double squares = 0;
        for (double e : estimates) {
            squares += (e - mean) * (e - mean);
        }
        return new Result(mean, Math.sqrt(squares / (subsets - 1) / subsets), subsets, size);
    }

    /**
     * The unbiased MMD^2 of two samples of {@code size} vectors: the within-set kernel means leave out the
     * diagonal (k(x, x)), the cross term keeps every pair.
     */
    private static double unbiasedMmd2(NDArray xs, NDArray ys, double dimension, int size) {
        double xx = kernel(xs, xs, dimension);
        double yy = kernel(ys, ys, dimension);
        double xy = kernel(xs, ys, dimension);
        double selfX = kernelDiagonal(xs, dimension);
        double selfY = kernelDiagonal(ys, dimension);
        double pairs = (double) size * (size - 1);
        return (xx - selfX) / pairs + (yy - selfY) / pairs - 2 * xy / ((double) size * size);
    }

    /** The sum of k(u_i, v_j) over every pair. */
    private static double kernel(NDArray u, NDArray v, double dimension) {
        return u.matMul(v.transpose()).div(dimension).add(1).pow(3).sum().getDouble();
    }

    /** The sum of k(u_i, u_i). */
    private static double kernelDiagonal(NDArray u, double dimension) {
        return u.mul(u).sum(new int[] {1}).div(dimension).add(1).pow(3).sum().getDouble();
    }

    /** {@code size} distinct indices below {@code n}, by a partial Fisher-Yates shuffle. */
    private static long[] draw(Random random, int n, int size) {
        long[] order = new long[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = 0; i < size; i++) {
            int j = i + random.nextInt(n - i);
            long t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return Arrays.copyOf(order, size);
    }
}
