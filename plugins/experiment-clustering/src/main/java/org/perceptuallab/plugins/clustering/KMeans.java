package org.perceptuallab.plugins.clustering;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Lloyd's k-means on the Gram matrix {@code G = F F^T} of feature vectors F, so that features of any
 * dimension (half a million for VGG activations) never meet the clustering: each centroid is a weighted
 * sum of images, {@code c_k = sum_j W[k][j] f_j}, and {@code ||f_i - c_k||^2 = G_ii - 2 (G w_k)_i + w_k^T G w_k}.
 * That is exact k-means, not an approximation.
 *
 * <p>Two updates: {@link Update#MEAN}, the standard one (a centroid is the mean of its images; an empty
 * cluster keeps its centroid; stops when no assignment changes), and {@link Update#REFERENCE}, the
 * reference protocol's (the new centroid is the mean of its images <em>and the old centroid</em>, for a
 * fixed number of iterations). Two initialisations: {@link Init#PLUS_PLUS} (k-means++) and {@link Init#RANDOM}
 * (k distinct random images, the reference's).
 */
final class KMeans {
    enum Init { PLUS_PLUS, RANDOM }

    enum Update { MEAN, REFERENCE }

    /**
     * One clustering.
     *
     * @param assignments the cluster of each image
     * @param objective the sum over images of the squared feature distance to their centroid
     * @param curve the objective at each assignment step
     */
    record Result(int[] assignments, double objective, List<Double> curve) {
    }

    private KMeans() {
    }

    /** The best of {@code restarts} runs (lowest objective); each run draws from its own stream split from the seed. */
    static Result best(double[][] gram, int k, Init init, Update update, int iterations, int restarts, long seed) {
        Result best = null;
        // Split streams, not seed + r: nearby seeds would otherwise share most of their restarts.
        SplittableRandom streams = new SplittableRandom(seed);
        for (int r = 0; r < restarts; r++) {
            Result result = run(gram, k, init, update, iterations, new Random(streams.nextLong()));
            if (best == null || result.objective() < best.objective()) {
                best = result;
            }
        }
        return best;
    }

    static Result run(double[][] gram, int k, Init init, Update update, int iterations, Random random) {
        int n = gram.length;
        return iterate(gram, init == Init.RANDOM ? distinctRandom(n, k, random) : plusPlus(gram, k, random), update,
                iterations);
    }

    /** Lloyd iterations from the given images as initial centroids. */
    static Result iterate(double[][] gram, int[] seeds, Update update, int iterations) {
        int n = gram.length;
        int k = seeds.length;
        double[][] weights = new double[k][n];
        for (int c = 0; c < k; c++) {
            weights[c][seeds[c]] = 1;
        }
        int[] assignments = null;
        List<Double> curve = new ArrayList<>();
        double objective = Double.NaN;
        for (int t = 0; t < iterations; t++) {
            double[][] dist = distances(gram, weights);
            int[] next = new int[n];
            objective = 0;
            for (int i = 0; i < n; i++) {
                int nearest = 0;
                for (int c = 1; c < k; c++) {
                    if (dist[i][c] < dist[i][nearest]) {
                        nearest = c;
                    }
                }
                next[i] = nearest;
                objective += dist[i][nearest];
            }
            curve.add(objective);
            boolean converged = Arrays.equals(next, assignments);
            assignments = next;
            if (update == Update.MEAN && converged) {
                break;
            }
            update(weights, assignments, update);
        }
        return new Result(assignments, objective, curve);
    }

    /** Squared distance of every image to every centroid, clamped at 0 (rounding). */
    static double[][] distances(double[][] gram, double[][] weights) {
        int n = gram.length;
        int k = weights.length;
        double[][] out = new double[n][k];
        double[] gw = new double[n];
        for (int c = 0; c < k; c++) {
            Arrays.fill(gw, 0);
            double[] w = weights[c];
            for (int j = 0; j < n; j++) {
                if (w[j] != 0) {
                    double wj = w[j];
                    double[] row = gram[j];
                    for (int i = 0; i < n; i++) {
                        gw[i] += wj * row[i];
                    }
                }
            }
            double norm = 0;
            for (int j = 0; j < n; j++) {
                norm += w[j] * gw[j];
            }
            for (int i = 0; i < n; i++) {
                out[i][c] = Math.max(0, gram[i][i] - 2 * gw[i] + norm);
            }
        }
        return out;
    }

    private static void update(double[][] weights, int[] assignments, Update update) {
        int k = weights.length;
        int[] count = new int[k];
        for (int a : assignments) {
            count[a]++;
        }
        for (int c = 0; c < k; c++) {
            if (count[c] == 0) {
                continue;
            }
            double[] w = weights[c];
            if (update == Update.MEAN) {
                Arrays.fill(w, 0);
                for (int i = 0; i < assignments.length; i++) {
                    if (assignments[i] == c) {
                        w[i] = 1.0 / count[c];
                    }
                }
            } else {
                // (old centroid + sum of members) / (members + 1)
                double scale = 1.0 / (count[c] + 1);
                for (int i = 0; i < w.length; i++) {
                    w[i] = (w[i] + (assignments[i] == c ? 1 : 0)) * scale;
                }
            }
        }
    }

    private static int[] distinctRandom(int n, int k, Random random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(n - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return Arrays.copyOf(order, k);
    }

    /** k-means++: the first centre uniformly, each next one with probability proportional to D^2. */
    private static int[] plusPlus(double[][] gram, int k, Random random) {
        return weightedSeeds(gram.length, k, random,
                (i, j) -> Math.max(0, gram[i][i] + gram[j][j] - 2 * gram[i][j]));
    }

    /** The distance between images i and j. */
    @FunctionalInterface
    interface Distance {
        double between(int i, int j);
    }

    /**
     * k seeds: the first uniformly, each next one with probability proportional to its distance to the
     * nearest seed so far (k-means++ with squared distances, k-medoids++ with the loss's).
     */
    static int[] weightedSeeds(int n, int k, Random random, Distance distance) {
        int[] seeds = new int[k];
        seeds[0] = random.nextInt(n);
        double[] nearest = new double[n];
        Arrays.fill(nearest, Double.POSITIVE_INFINITY);
        for (int c = 1; c < k; c++) {
            int last = seeds[c - 1];
            double total = 0;
            for (int i = 0; i < n; i++) {
                nearest[i] = Math.min(nearest[i], distance.between(i, last));
                total += nearest[i];
            }
            seeds[c] = sample(nearest, total, random, seeds, c);
        }
        return seeds;
    }

    /**
     * Draws an index with probability proportional to {@code weights}; when every weight is 0 (fewer
     * distinct images than clusters), the first index not yet chosen.
     */
    private static int sample(double[] weights, double total, Random random, int[] chosen, int chosenCount) {
        if (total > 0) {
            double u = random.nextDouble() * total;
            double sum = 0;
            for (int i = 0; i < weights.length; i++) {
                sum += weights[i];
                if (weights[i] > 0 && u < sum) {
                    return i;
                }
            }
            for (int i = weights.length - 1; i >= 0; i--) {
                if (weights[i] > 0) {
                    return i;
                }
            }
        }
        outer:
        for (int i = 0; i < weights.length; i++) {
            for (int c = 0; c < chosenCount; c++) {
                if (chosen[c] == i) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException("more clusters than images");
    }
}
