package org.perceptuallab.kit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.Optional;
import org.perceptuallab.api.FeatureMap;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.Progress;

/**
 * The N x M matrix {@code d(a_i, b_j)} of any loss, computed in batches.
 *
 * <p>Where the loss has an {@linkplain Loss#featureMap() exact feature map} the images pass through it once
 * each (N + M feature evaluations) and the matrix is {@code |f_i|^2 + |g_j|^2 - 2 f_i . g_j} of the
 * features centred on their mean, in float64: one matrix product.
 * Otherwise every pair is one row of a batched {@link Loss#distance} call: N x M pairs, or, for one set
 * ({@code b} null) and a {@linkplain Loss#symmetric() symmetric} loss, the N (N + 1) / 2 pairs on and above
 * the diagonal, mirrored.
 *
 * @param values the distances, {@code values[i][j] = d(a_i, b_j)}
 * @param route how they were computed
 * @param evaluations images through the feature map, or pairs through the loss
 */
public record DistanceMatrix(double[][] values, Route route, long evaluations) {
    /** Images or pairs per loss call by default: large enough to fill a core, small enough for 128 px VGG. */
    public static final int DEFAULT_BATCH = 16;

    /** How a matrix was computed. */
    public enum Route {
        /** From the loss's exact feature map. */
        FEATURES,
        /** One loss call per pair, in batches. */
        PAIRS,
        /** One loss call per unordered pair of one set, mirrored. */
        SYMMETRIC_PAIRS
    }

    /** The matrix in batches of {@link #DEFAULT_BATCH}, silently. */
    public static DistanceMatrix of(Loss loss, NDArray a, NDArray b) {
        return of(loss, a, b, DEFAULT_BATCH, Progress.silent());
    }

    /**
     * The matrix of {@code a} (N, C, H, W) against {@code b} (M, C, H', W'), or against itself when {@code b}
     * is null. {@code progress} advances once per image (feature route) or pair.
     */
    public static DistanceMatrix of(Loss loss, NDArray a, NDArray b, int batch, Progress progress) {
        Optional<FeatureMap> map = loss.featureMap();
        if (map.isEmpty()) {
            return byPairs(loss, a, b, batch, progress);
        }
        requirePositive(batch);
        try (NDManager scope = a.getManager().newSubManager()) {
            return fromFeatures(map.get(), a, b, batch, scope, progress);
        }
    }

    /**
     * The matrix pair by pair even where the loss has a feature map: from the loss itself (k-medoids on
     * its own distances, say). {@code progress} advances once per pair.
     */
    public static DistanceMatrix byPairs(Loss loss, NDArray a, NDArray b, int batch, Progress progress) {
        requirePositive(batch);
        try (NDManager scope = a.getManager().newSubManager()) {
            return fromPairs(loss, a, b, batch, scope, progress);
        }
    }

    /** Progress totals: what {@link #of} will step through for these sets. */
    public static long work(Loss loss, long n, Long m) {
        return loss.featureMap().isPresent() ? n + (m == null ? 0 : m) : pairWork(loss, n, m);
    }

    /** Progress totals of {@link #byPairs}. */
    public static long pairWork(Loss loss, long n, Long m) {
        return m != null ? n * m : loss.symmetric() ? n * (n + 1) / 2 : n * n;
    }

    private static void requirePositive(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        }
    }

    private static DistanceMatrix fromFeatures(FeatureMap map, NDArray a, NDArray b, int batch, NDManager scope,
                                               Progress progress) {
        NDArray fa = features(map, a, batch, scope, progress);
        NDArray fb = b == null ? fa : features(map, b, batch, scope, progress);
        long n = a.getShape().get(0);
        long m = b == null ? n : b.getShape().get(0);
        // Centred on the mean feature, the norms and the cross term stay close to the distances between
        // similar images, and float64 keeps the cancellation in |f_i|^2 + |g_j|^2 - 2 f_i . g_j harmless.
        NDArray mean = b == null ? fa.mean(new int[] {0}, true)
                : fa.sum(new int[] {0}, true).add(fb.sum(new int[] {0}, true)).div(n + m);
        NDArray ca = fa.sub(mean).toType(DataType.FLOAT64, false);
        NDArray cb = b == null ? ca : fb.sub(mean).toType(DataType.FLOAT64, false);
        double[] na = squaredNorms(ca);
        double[] nb = b == null ? na : squaredNorms(cb);
        double[] cross = ca.matMul(cb.transpose()).toDoubleArray();
        double[][] d = new double[(int) n][(int) m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                d[i][j] = b == null && i == j ? 0 : Math.max(0, na[i] + nb[j] - 2 * cross[(int) (i * m + j)]);
            }
        }
        return new DistanceMatrix(d, Route.FEATURES, n + (b == null ? 0 : m));
    }

    private static NDArray features(FeatureMap map, NDArray images, int batch, NDManager scope, Progress progress) {
        long n = images.getShape().get(0);
        NDList parts = new NDList();
        for (long from = 0; from < n; from += batch) {
            long to = Math.min(n, from + batch);
            try (NDManager step = scope.newSubManager()) {
                NDArray x = images.get(new NDIndex().addSliceDim(from, to));
                x.attach(step);
                NDArray f = map.features(x);
                f.attach(scope);
                parts.add(f);
            }
            progress.step(to - from);
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
    }

    /** Each row's squared norm, of float64 features. */
    private static double[] squaredNorms(NDArray features) {
        try (NDArray sq = features.square(); NDArray sums = sq.sum(new int[] {1})) {
            return sums.toDoubleArray();
        }
    }

    private static DistanceMatrix fromPairs(Loss loss, NDArray a, NDArray b, int batch, NDManager scope,
                                            Progress progress) {
        int n = (int) a.getShape().get(0);
        boolean mirrored = b == null && loss.symmetric();
        NDArray other = b == null ? a : b;
        int m = (int) other.getShape().get(0);
        // The pairs as two index arrays: an object per pair would cost more than the matrix for large N.
        long count = mirrored ? (long) n * (n + 1) / 2 : (long) n * m;
        int[] rows = new int[Math.toIntExact(count)];
        int[] cols = new int[rows.length];
        int p = 0;
        for (int i = 0; i < n; i++) {
            for (int j = mirrored ? i : 0; j < m; j++) {
                rows[p] = i;
                cols[p++] = j;
            }
        }
        double[][] d = new double[n][m];
        for (int from = 0; from < rows.length; from += batch) {
            int to = Math.min(rows.length, from + batch);
            try (NDManager step = scope.newSubManager()) {
                NDArray x = gather(a, rows, from, to, step);
                NDArray y = gather(other, cols, from, to, step);
                NDArray dist = loss.distance(x, y);
                dist.attach(step);
                double[] values = dist.toType(DataType.FLOAT64, false).toDoubleArray();
                for (int k = from; k < to; k++) {
                    d[rows[k]][cols[k]] = values[k - from];
                    if (mirrored) {
                        d[cols[k]][rows[k]] = values[k - from];
                    }
                }
            }
            progress.step(to - from);
        }
        return new DistanceMatrix(d, mirrored ? Route.SYMMETRIC_PAIRS : Route.PAIRS, rows.length);
    }

    /** Images {@code index[from..to)} of {@code set}, as one batch in {@code step}. */
    private static NDArray gather(NDArray set, int[] index, int from, int to, NDManager step) {
        NDList parts = new NDList(to - from);
        for (int k = from; k < to; k++) {
            NDArray one = set.get(new NDIndex().addSliceDim(index[k], index[k] + 1));
            one.attach(step);
            parts.add(one);
        }
        NDArray batch = NDArrays.concat(parts, 0);
        batch.attach(step);
        return batch;
    }
}
