package org.perceptuallab.plugins.clustering;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * k-medoids on a symmetric distance matrix, for any loss: k-medoids++ seeding (each next medoid drawn with
 * probability proportional to the distance to the nearest one so far), alternating assignment and medoid
 * update until stable, then PAM's swap phase (the best medoid/non-medoid swap while it lowers the
 * objective). The objective is the sum over images of the distance to their medoid.
 */
final class KMedoids {

    /**
     * One clustering.
     *
     * @param assignments the cluster of each image (clusters ordered by medoid index)
     * @param medoids the image index of each cluster's medoid
     * @param objective the sum of distances to the medoids
     * @param curve the objective after each alternation step and each swap
     */
    record Result(int[] assignments, int[] medoids, double objective, List<Double> curve) {
    }

    private KMedoids() {
    }

    /** The best of {@code restarts} runs (lowest objective); each run draws from its own stream split from the seed. */
    static Result best(double[][] d, int k, int restarts, long seed) {
        Result best = null;
        // Split streams, not seed + r: nearby seeds would otherwise share most of their restarts.
        SplittableRandom streams = new SplittableRandom(seed);
        for (int r = 0; r < restarts; r++) {
            Result result = run(d, k, new Random(streams.nextLong()));
            if (best == null || result.objective() < best.objective() - 1e-12 * Math.abs(best.objective())) {
                best = result;
            }
        }
        return best;
    }

    static Result run(double[][] d, int k, Random random) {
        int n = d.length;
        if (k > n) {
            throw new IllegalArgumentException(k + " clusters for " + n + " images");
        }
        int[] medoids = seed(d, k, random);
        List<Double> curve = new ArrayList<>();
        // Alternate: assign, then each cluster's medoid becomes its member closest to the others.
        while (true) {
            int[] assignments = assign(d, medoids);
            curve.add(objective(d, medoids));
            boolean changed = false;
            for (int c = 0; c < k; c++) {
                int best = medoids[c];
                double bestCost = withinCost(d, assignments, c, best);
                for (int i = 0; i < n; i++) {
                    if (assignments[i] == c && i != medoids[c]) {
                        double cost = withinCost(d, assignments, c, i);
                        if (cost < bestCost - 1e-12 * Math.abs(bestCost)) {
                            best = i;
                            bestCost = cost;
                        }
                    }
                }
                changed |= best != medoids[c];
                medoids[c] = best;
            }
            if (!changed) {
                break;
            }
        }
        // Swap: the best single exchange of a medoid for a non-medoid, while it lowers the objective.
        while (true) {
            double current = objective(d, medoids);
            double bestGain = 1e-12 * Math.abs(current);
            int bestSlot = -1;
            int bestCandidate = -1;
            boolean[] isMedoid = new boolean[n];
            for (int m : medoids) {
                isMedoid[m] = true;
            }
            double[] nearest = new double[n];
            double[] second = new double[n];
            int[] nearestSlot = new int[n];
            for (int i = 0; i < n; i++) {
                nearest[i] = Double.POSITIVE_INFINITY;
                second[i] = Double.POSITIVE_INFINITY;
                for (int s = 0; s < k; s++) {
                    double v = d[i][medoids[s]];
                    if (v < nearest[i]) {
                        second[i] = nearest[i];
                        nearest[i] = v;
                        nearestSlot[i] = s;
                    } else if (v < second[i]) {
                        second[i] = v;
                    }
                }
            }
            for (int s = 0; s < k; s++) {
                for (int o = 0; o < n; o++) {
                    if (isMedoid[o]) {
                        continue;
                    }
                    double after = 0;
                    for (int i = 0; i < n; i++) {
                        double without = nearestSlot[i] == s ? second[i] : nearest[i];
                        after += Math.min(without, d[i][o]);
                    }
                    double gain = current - after;
                    if (gain > bestGain) {
                        bestGain = gain;
                        bestSlot = s;
                        bestCandidate = o;
                    }
                }
            }
            if (bestSlot < 0) {
                break;
            }
            medoids[bestSlot] = bestCandidate;
            curve.add(objective(d, medoids));
        }
        Arrays.sort(medoids);
        return new Result(assign(d, medoids), medoids, objective(d, medoids), curve);
    }

    /** Nearest medoid of each image (ties: the lower slot); a medoid is always in its own cluster. */
    static int[] assign(double[][] d, int[] medoids) {
        int n = d.length;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int s = 1; s < medoids.length; s++) {
                if (d[i][medoids[s]] < d[i][medoids[best]]) {
                    best = s;
                }
            }
            out[i] = best;
        }
        for (int s = 0; s < medoids.length; s++) {
            out[medoids[s]] = s;
        }
        return out;
    }

    /** Sum over images of the distance to the nearest medoid. */
    static double objective(double[][] d, int[] medoids) {
        double total = 0;
        for (double[] row : d) {
            double best = Double.POSITIVE_INFINITY;
            for (int m : medoids) {
                best = Math.min(best, row[m]);
            }
            total += best;
        }
        return total;
    }

    private static double withinCost(double[][] d, int[] assignments, int cluster, int candidate) {
        double cost = 0;
        for (int i = 0; i < assignments.length; i++) {
            if (assignments[i] == cluster) {
                cost += d[i][candidate];
            }
        }
        return cost;
    }

    private static int[] seed(double[][] d, int k, Random random) {
        return KMeans.weightedSeeds(d.length, k, random, (i, j) -> d[i][j]);
    }
}
