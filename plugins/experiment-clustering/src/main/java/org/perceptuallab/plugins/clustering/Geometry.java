package org.perceptuallab.plugins.clustering;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import org.perceptuallab.api.FeatureMap;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.Progress;
import org.perceptuallab.kit.DistanceMatrix;

/**
 * A loss's geometry over a set of images: the N x N distance matrix, and the Gram matrix of its features
 * where the loss has an exact feature map (the api's contract: the squared feature distance is the loss).
 *
 * <p>With a feature map the images pass through the loss once each (N feature evaluations) and both
 * matrices come from one product of the centred features. Without one, the kit's {@link DistanceMatrix}
 * costs N(N+1)/2 pair evaluations for a symmetric loss; an asymmetric one costs N^2 and is symmetrised,
 * {@code (d(i,j) + d(j,i)) / 2}. The diagonal is 0.
 *
 * @param distances the symmetric distance matrix
 * @param gram the Gram matrix of the centred features (null without a feature map)
 * @param featureDimension the features' dimension (0 without)
 * @param note how the geometry was obtained
 * @param symmetrized whether the loss was asymmetric and the matrix is its symmetric version
 * @param evaluations images passed through the feature map, or pairs passed through the loss
 */
record Geometry(double[][] distances, double[][] gram, long featureDimension, String note, boolean symmetrized,
                long evaluations) {

    boolean hasFeatures() {
        return gram != null;
    }

    /**
     * The geometry of {@code images} (each (1, C, H, W)) under {@code loss}; {@code useFeatures} false
     * forces the distance matrix. {@code progress} makes a progress bar (a task and its total).
     */
    static Geometry of(Loss loss, List<NDArray> images, int batch, boolean useFeatures, NDManager manager,
                       BiFunction<String, Long, Progress> progress) {
        Optional<FeatureMap> map = loss.featureMap();
        String note = map.isEmpty() ? "the loss offers no feature map" : "distance matrix requested (method kmedoids)";
        if (useFeatures && map.isPresent()) {
            try (NDManager scope = manager.newSubManager();
                 Progress bar = progress.apply("features " + loss.spec().id(), (long) images.size())) {
                NDArray features = features(map.get(), images, batch, scope, bar);
                double[][] gram = gram(features);
                long dimension = features.getShape().get(1);
                return new Geometry(fromGram(gram), gram, dimension, "exact feature map, " + dimension
                        + " dimensions", false, images.size());
            }
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray set = NDArrays.concat(new NDList(images), 0);
            set.attach(scope);
            DistanceMatrix matrix;
            long pairs = DistanceMatrix.pairWork(loss, images.size(), null);
            try (Progress bar = progress.apply(pairPlan(loss, set, batch, pairs, map.isEmpty()), pairs)) {
                matrix = DistanceMatrix.byPairs(loss, set, null, batch, bar);
            }
            double[][] d = matrix.values();
            boolean asymmetric = matrix.route() == DistanceMatrix.Route.PAIRS;
            for (int i = 0; i < d.length; i++) {
                d[i][i] = 0;
                for (int j = i + 1; j < d.length; j++) {
                    double value = asymmetric ? (d[i][j] + d[j][i]) / 2 : d[i][j];
                    d[i][j] = value;
                    d[j][i] = value;
                }
            }
            return new Geometry(d, null, 0, note + "; distance matrix of " + matrix.evaluations()
                    + " pair evaluations" + (asymmetric ? ", symmetrised: the loss is not symmetric" : ""),
                    asymmetric, matrix.evaluations());
        }
    }

    /**
     * The pair route's progress label, said before it starts: how many pair evaluations, about how long (from
     * one timed batch), and, where the loss has no feature map, what would take the fast route.
     */
    private static String pairPlan(Loss loss, NDArray set, int batch, long pairs, boolean noFeatureMap) {
        int n = (int) Math.min(batch, set.getShape().get(0) - 1);
        double secondsPerPair = 0;
        if (n > 0) {
            try (NDManager scope = set.getManager().newSubManager()) {
                NDArray x = set.get("0:1").repeat(0, n);
                NDArray y = set.get("1:" + (n + 1));
                long start = System.nanoTime();
                loss.distance(x, y).toFloatArray();
                secondsPerPair = (System.nanoTime() - start) / 1e9 / n;
            }
        }
        return String.format(java.util.Locale.ROOT, "distances %s: %,d pair evaluations, about %.0f s%s",
                loss.spec().id(), pairs, pairs * secondsPerPair, noFeatureMap
                        ? " (no exact feature map; one, such as vgg with metric l2 or mmd-approx with redraw"
                        + " false, takes " + set.getShape().get(0) + " image evaluations)" : "");
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

    /** F_c F_c^T with the features centred (distances do not change; rounding shrinks). */
    private static double[][] gram(NDArray features) {
        NDArray centred = features.sub(features.mean(new int[] {0}, true));
        NDArray g = centred.matMul(centred.transpose()).toType(DataType.FLOAT64, false);
        int n = (int) features.getShape().get(0);
        double[] flat = g.toDoubleArray();
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * n, out[i], 0, n);
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
}
