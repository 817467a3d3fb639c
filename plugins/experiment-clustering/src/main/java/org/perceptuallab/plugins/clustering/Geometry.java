package org.perceptuallab.plugins.clustering;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiFunction;
import org.perceptuallab.api.FeatureMap;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.Progress;

/**
 * A loss's geometry over a set of images: the N x N distance matrix, and the Gram matrix of its features
 * where the loss has a feature map that is <em>verified</em> exact (the loss's distance equals, up to one
 * positive factor, the squared Euclidean distance of the features). The check runs on a few pairs at run
 * time, so a loss whose feature map is only approximate (a VGG loss with the l1 metric) is clustered by
 * distances instead, and the result says why.
 *
 * <p>With an exact feature map the images pass through the loss once each (N feature evaluations) and both
 * matrices come from one product of the centred features. Without one, the distance matrix costs N(N-1)/2
 * pair evaluations in batches; a loss found asymmetric on a sample of pairs costs N(N-1) and is symmetrised,
 * {@code (d(i,j) + d(j,i)) / 2}. The diagonal is 0.
 *
 * @param distances the symmetric distance matrix
 * @param gram the Gram matrix scaled to the loss's units (null without an exact feature map)
 * @param featureDimension the features' dimension (0 without)
 * @param note how the geometry was obtained, or why the feature map was not used
 * @param symmetrized whether the loss was asymmetric and the matrix is its symmetric version
 * @param evaluations images passed through the feature map plus pairs passed through the loss
 */
record Geometry(double[][] distances, double[][] gram, long featureDimension, String note, boolean symmetrized,
                long evaluations) {
    /** Largest spread of distance / feature-distance ratios accepted as one positive factor. */
    static final double EXACTNESS = 1e-3;
    private static final int CHECK_PAIRS = 6;

    boolean hasFeatures() {
        return gram != null;
    }

    /**
     * The geometry of {@code images} (each (1, C, H, W)) under {@code loss}; {@code useFeatures} false
     * forces the distance matrix. {@code progress} makes a progress bar (a task and its total).
     */
    static Geometry of(Loss loss, List<NDArray> images, int batch, boolean useFeatures, NDManager manager,
                       BiFunction<String, Long, Progress> progress) {
        String note = "the loss offers no feature map";
        Optional<FeatureMap> map = loss.featureMap();
        if (!useFeatures) {
            note = "distance matrix requested (method kmedoids)";
        } else if (map.isPresent()) {
            try (NDManager scope = manager.newSubManager();
                 Progress bar = progress.apply("features " + loss.spec().id(), (long) images.size())) {
                NDArray features = features(map.get(), images, batch, scope, bar);
                Optional<Factor> factor = exactFactor(loss, images, features, scope);
                if (factor.isPresent()) {
                    double[][] gram = gram(features, factor.get().value());
                    return new Geometry(fromGram(gram), gram, features.getShape().get(1),
                            String.format(Locale.ROOT, "exact feature map, %d dimensions (distance = %.6g x squared"
                                    + " feature distance, checked on %d pairs)", features.getShape().get(1),
                                    factor.get().value(), factor.get().pairs()), false, images.size());
                }
                note = "the loss's feature map is not exact (its squared distances are not one multiple of the"
                        + " loss's on sampled pairs)";
            }
        }
        return distanceMatrix(loss, images, batch, manager, progress, note);
    }

    private static NDArray features(FeatureMap map, List<NDArray> images, int batch, NDManager scope,
                                    Progress progress) {
        NDList parts = new NDList();
        for (int from = 0; from < images.size(); from += batch) {
            int to = Math.min(images.size(), from + batch);
            try (NDManager step = scope.newSubManager()) {
                NDArray x = NDArrays.concat(new NDList(images.subList(from, to)), 0);
                x.attach(step);
                NDArray f = map.features(x).toType(DataType.FLOAT32, false);
                f.attach(scope);
                parts.add(f);
            }
            progress.step(to - from);
        }
        NDArray all = NDArrays.concat(parts, 0);
        parts.close();
        return all;
    }

    /** The loss's distance over the squared feature distance, and on how many pairs it was checked. */
    private record Factor(double value, int pairs) {
    }

    /** The factor d / ||f(x) - f(y)||^2 when it is one number on sampled pairs, else empty. */
    private static Optional<Factor> exactFactor(Loss loss, List<NDArray> images, NDArray features, NDManager scope) {
        int n = images.size();
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        int checked = 0;
        for (int p = 0; p < CHECK_PAIRS && n > 1; p++) {
            int i = (p * 7) % n;
            int j = (i + 1 + p * 3) % n;
            if (i == j) {
                continue;
            }
            try (NDManager step = scope.newSubManager()) {
                NDArray x = images.get(i).duplicate();
                NDArray y = images.get(j).duplicate();
                x.attach(step);
                y.attach(step);
                double d = loss.distance(x, y).toType(DataType.FLOAT64, false).getDouble(0);
                NDArray diff = features.get(i).toType(DataType.FLOAT64, false)
                        .sub(features.get(j).toType(DataType.FLOAT64, false));
                diff.attach(step);
                double fd = diff.square().sum().getDouble();
                if (fd == 0 && d == 0) {
                    continue;
                }
                double ratio = d / fd;
                if (!(ratio > 0) || Double.isInfinite(ratio)) {
                    return Optional.empty();
                }
                min = Math.min(min, ratio);
                max = Math.max(max, ratio);
                checked++;
            }
        }
        if (checked == 0 || max / min - 1 > EXACTNESS) {
            return Optional.empty();
        }
        return Optional.of(new Factor(Math.sqrt(min * max), checked));
    }

    /** factor * F_c F_c^T with the features centred (distances do not change; rounding shrinks). */
    private static double[][] gram(NDArray features, double factor) {
        NDArray centred = features.sub(features.mean(new int[] {0}, true));
        NDArray g = centred.matMul(centred.transpose()).toType(DataType.FLOAT64, false);
        int n = (int) features.getShape().get(0);
        double[] flat = g.toDoubleArray();
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                out[i][j] = factor * flat[i * n + j];
            }
        }
        return out;
    }

    private static double[][] fromGram(double[][] gram) {
        int n = gram.length;
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                d[i][j] = i == j ? 0 : Math.max(0, gram[i][i] + gram[j][j] - 2 * gram[i][j]);
            }
        }
        return d;
    }

    private static Geometry distanceMatrix(Loss loss, List<NDArray> images, int batch, NDManager manager,
                                           BiFunction<String, Long, Progress> progress, String note) {
        int n = images.size();
        Pairs pairs = Pairs.upperTriangle(n);
        // d(i, j) fills the upper triangle; d(j, i), where computed, the lower one.
        double[][] d = new double[n][n];
        try (Progress bar = progress.apply("distances " + loss.spec().id(), (long) pairs.size())) {
            evaluate(loss, images, pairs, batch, false, d, manager, bar);
        }
        boolean asymmetric = isAsymmetric(loss, images, pairs, d, manager);
        long evaluations = pairs.size();
        if (asymmetric) {
            try (Progress bar = progress.apply("reverse distances " + loss.spec().id(), (long) pairs.size())) {
                evaluate(loss, images, pairs, batch, true, d, manager, bar);
            }
            evaluations *= 2;
        }
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double value = asymmetric ? (d[i][j] + d[j][i]) / 2 : d[i][j];
                d[i][j] = value;
                d[j][i] = value;
            }
        }
        return new Geometry(d, null, 0, note + "; distance matrix of " + evaluations + " pair evaluations"
                + (asymmetric ? ", symmetrised: the loss is not symmetric" : ""), asymmetric, evaluations);
    }

    /** d(j, i) on 8 evenly spaced pairs against the d(i, j) already in the upper triangle. */
    private static boolean isAsymmetric(Loss loss, List<NDArray> images, Pairs pairs, double[][] d,
                                        NDManager manager) {
        Pairs sample = pairs.sample(8);
        evaluate(loss, images, sample, Math.max(1, sample.size()), true, d, manager, Progress.silent());
        for (int p = 0; p < sample.size(); p++) {
            double a = d[sample.first()[p]][sample.second()[p]];
            double b = d[sample.second()[p]][sample.first()[p]];
            // float32 sums of large kernel terms differ in the last digits between orders; a real asymmetry is larger
            if (Math.abs(a - b) > 1e-3 * Math.max(Math.abs(a), Math.abs(b)) + 1e-9) {
                return true;
            }
        }
        return false;
    }

    /**
     * d(x_i, x_j) of every pair into {@code d[i][j]} (or d(x_j, x_i) into {@code d[j][i]} when
     * {@code swapped}), {@code batch} pairs per call.
     */
    private static void evaluate(Loss loss, List<NDArray> images, Pairs pairs, int batch, boolean swapped,
                                 double[][] d, NDManager manager, Progress progress) {
        for (int from = 0; from < pairs.size(); from += batch) {
            int to = Math.min(pairs.size(), from + batch);
            try (NDManager step = manager.newSubManager()) {
                NDList xs = new NDList();
                NDList ys = new NDList();
                for (int p = from; p < to; p++) {
                    int a = swapped ? pairs.second()[p] : pairs.first()[p];
                    int b = swapped ? pairs.first()[p] : pairs.second()[p];
                    xs.add(images.get(a));
                    ys.add(images.get(b));
                }
                NDArray x = NDArrays.concat(xs, 0);
                NDArray y = NDArrays.concat(ys, 0);
                x.attach(step);
                y.attach(step);
                double[] values = loss.distance(x, y).toType(DataType.FLOAT64, false).toDoubleArray();
                for (int p = from; p < to; p++) {
                    int a = swapped ? pairs.second()[p] : pairs.first()[p];
                    int b = swapped ? pairs.first()[p] : pairs.second()[p];
                    d[a][b] = values[p - from];
                }
            }
            progress.step(to - from);
        }
    }

    /** Image pairs as two index arrays (an object per pair would cost more than the matrix for large N). */
    private record Pairs(int[] first, int[] second) {
        /** Every (i, j) with i &lt; j, row by row. */
        static Pairs upperTriangle(int n) {
            int count = n * (n - 1) / 2;
            int[] first = new int[count];
            int[] second = new int[count];
            int p = 0;
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    first[p] = i;
                    second[p++] = j;
                }
            }
            return new Pairs(first, second);
        }

        int size() {
            return first.length;
        }

        /** At most {@code count} pairs, evenly spaced. */
        Pairs sample(int count) {
            int step = Math.max(1, size() / count);
            int taken = Math.min(count, (size() + step - 1) / step);
            int[] f = new int[taken];
            int[] s = new int[taken];
            for (int k = 0; k < taken; k++) {
                f[k] = first[k * step];
                s[k] = second[k * step];
            }
            return new Pairs(f, s);
        }
    }
}
