package org.perceptuallab.plugins.clustering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** k-means against Lloyd steps in explicit coordinates, k-medoids against brute force, the scores by hand. */
class ClusteringAlgorithmsTest {

    @Test
    void gramSpaceKMeansTakesTheSameStepsAsLloydInCoordinates() {
        Random random = new Random(5);
        for (KMeans.Update update : KMeans.Update.values()) {
            for (int trial = 0; trial < 10; trial++) {
                double[][] points = points(random, 30, 4);
                int[] seeds = {0, 7, 19};
                KMeans.Result gram = KMeans.iterate(gram(points), seeds, update, 15);
                Lloyd byHand = lloyd(points, seeds, update, 15);
                assertThat(gram.assignments()).as(update + " trial " + trial).containsExactly(byHand.assignments);
                assertThat(gram.curve()).hasSameSizeAs(byHand.objectives);
                for (int t = 0; t < byHand.objectives.size(); t++) {
                    assertThat(gram.curve().get(t)).isCloseTo(byHand.objectives.get(t), within(1e-9));
                }
            }
        }
        // The reference update runs every iteration; the standard one stops once nothing moves.
        double[][] points = points(new Random(1), 30, 4);
        assertThat(KMeans.iterate(gram(points), new int[] {0, 1}, KMeans.Update.REFERENCE, 15).curve()).hasSize(15);
        assertThat(KMeans.iterate(gram(points), new int[] {0, 1}, KMeans.Update.MEAN, 100).curve().size())
                .isLessThan(100);
    }

    @Test
    void kMeansPlusPlusWithRestartsSeparatesWellSeparatedGroupsAndIsSeeded() {
        double[][] points = new double[45][];
        int[] truth = new int[45];
        Random random = new Random(2);
        for (int i = 0; i < 45; i++) {
            truth[i] = i % 3;
            points[i] = new double[] {10 * truth[i] + random.nextGaussian(), -8 * truth[i] + random.nextGaussian()};
        }
        KMeans.Result r = KMeans.best(gram(points), 3, KMeans.Init.PLUS_PLUS, KMeans.Update.MEAN, 100, 5, 11);
        assertThat(ClusterScores.of(truth, 3, r.assignments(), 3).ari()).isEqualTo(1.0);
        KMeans.Result again = KMeans.best(gram(points), 3, KMeans.Init.PLUS_PLUS, KMeans.Update.MEAN, 100, 5, 11);
        assertThat(again.assignments()).containsExactly(r.assignments());
        assertThat(again.objective()).isEqualTo(r.objective());
    }

    /**
     * PAM's guarantee is a medoid set no single swap improves (checked by trying every swap); on tiny
     * problems that is almost always the best set of all (checked against every set).
     */
    @Test
    void kMedoidsEndsWhereNoSwapHelpsAndMostlyAtTheBestOfAllMedoidSets() {
        Random random = new Random(9);
        int global = 0;
        int trials = 40;
        for (int trial = 0; trial < trials; trial++) {
            double[][] points = points(random, 9, 2);
            double[][] d = new double[9][9];
            for (int i = 0; i < 9; i++) {
                for (int j = 0; j < 9; j++) {
                    d[i][j] = Math.abs(points[i][0] - points[j][0]) + Math.abs(points[i][1] - points[j][1]);
                }
            }
            double optimum = Double.POSITIVE_INFINITY;
            for (int a = 0; a < 9; a++) {
                for (int b = a + 1; b < 9; b++) {
                    for (int c = b + 1; c < 9; c++) {
                        optimum = Math.min(optimum, KMedoids.objective(d, new int[] {a, b, c}));
                    }
                }
            }
            KMedoids.Result r = KMedoids.best(d, 3, 3, trial);
            assertThat(KMedoids.objective(d, r.medoids())).isEqualTo(r.objective());
            for (int slot = 0; slot < 3; slot++) {
                for (int other = 0; other < 9; other++) {
                    int[] swapped = r.medoids().clone();
                    swapped[slot] = other;
                    assertThat(KMedoids.objective(d, swapped)).as("trial %d swap %d -> %d", trial, slot, other)
                            .isGreaterThanOrEqualTo(r.objective() - 1e-12);
                }
            }
            if (r.objective() <= optimum + 1e-12) {
                global++;
            }
            for (int i = 0; i < 9; i++) {
                for (int m : r.medoids()) {
                    assertThat(d[i][r.medoids()[r.assignments()[i]]]).isLessThanOrEqualTo(d[i][m]);
                }
            }
        }
        System.out.println("k-medoids reached the best medoid set in " + global + " of " + trials + " tiny problems");
        assertThat(global).isGreaterThanOrEqualTo(trials * 9 / 10);
    }

    @Test
    void scoresMatchHandComputedValuesWithAnEmptyClusterAndATie() {
        int[] labels = {0, 0, 0, 1, 1, 2, 2, 2};
        // cluster 0: labels 0,0,2; cluster 1: 0,1 (a tie: the lower class wins); cluster 2: 1,2,2; cluster 3 empty
        int[] clusters = {0, 0, 1, 1, 2, 2, 2, 0};
        ClusterScores s = ClusterScores.of(labels, 3, clusters, 4);
        assertThat(s.majority()).containsExactly(0, 0, 2, -1);
        assertThat(s.emptyClusters()).isEqualTo(1);
        assertThat(s.purity()).isCloseTo(5.0 / 8, within(1e-12));
        assertThat(s.meanPrecision()).isCloseTo((2.0 / 3 + 1.0 / 2 + 2.0 / 3) / 3, within(1e-12));
        assertThat(s.meanRecall()).isCloseTo((2.0 / 3 + 1.0 / 3 + 2.0 / 3) / 3, within(1e-12));
        // predicted: class 0 for 5 images (3 right), class 2 for 3 (2 right), class 1 never
        double f1Class0 = 2 * (3.0 / 5) * 1.0 / (3.0 / 5 + 1.0);
        double f1Class2 = 2.0 / 3;
        assertThat(s.f1()).isCloseTo(3.0 / 8 * f1Class0 + 3.0 / 8 * f1Class2, within(1e-12));
        // pairs within both: 2; within clusters: 3 + 1 + 3; within classes: 3 + 1 + 3; of 28 pairs
        double expected = 7.0 * 7 / 28;
        assertThat(s.ari()).isCloseTo((2 - expected) / (7 - expected), within(1e-12));
        double mi = 2.0 / 8 * Math.log(16.0 / 9) * 2 + 1.0 / 8 * Math.log(8.0 / 9) + 1.0 / 8 * Math.log(8.0 / 6) * 2
                + 1.0 / 8 * Math.log(8.0 / 4);
        double h = -(2 * 3.0 / 8 * Math.log(3.0 / 8) + 2.0 / 8 * Math.log(2.0 / 8));
        assertThat(s.nmi()).isCloseTo(mi / h, within(1e-12));
    }

    @Test
    void perfectAndOneSetPartitionsScoreOne() {
        int[] labels = {0, 0, 1, 1, 2};
        ClusterScores perfect = ClusterScores.of(labels, 3, new int[] {2, 2, 0, 0, 1}, 3);
        assertThat(perfect.f1()).isEqualTo(1.0);
        assertThat(perfect.ari()).isEqualTo(1.0);
        assertThat(perfect.nmi()).isCloseTo(1.0, within(1e-12));
        ClusterScores oneSet = ClusterScores.of(new int[] {0, 0, 0}, 1, new int[] {0, 0, 0}, 1);
        assertThat(oneSet.ari()).isEqualTo(1.0);
        assertThat(oneSet.nmi()).isEqualTo(1.0);
    }

    private static double[][] points(Random random, int n, int dim) {
        double[][] p = new double[n][dim];
        for (double[] row : p) {
            for (int d = 0; d < dim; d++) {
                row[d] = random.nextGaussian() + (random.nextBoolean() ? 3 : 0);
            }
        }
        return p;
    }

    private static double[][] gram(double[][] points) {
        int n = points.length;
        double[][] g = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int d = 0; d < points[i].length; d++) {
                    g[i][j] += points[i][d] * points[j][d];
                }
            }
        }
        return g;
    }

    private record Lloyd(int[] assignments, List<Double> objectives) {
    }

    /** Lloyd's algorithm written out on coordinates, the two updates as the protocol states them. */
    private static Lloyd lloyd(double[][] points, int[] seeds, KMeans.Update update, int iterations) {
        int k = seeds.length;
        int dim = points[0].length;
        double[][] centroids = new double[k][];
        for (int c = 0; c < k; c++) {
            centroids[c] = points[seeds[c]].clone();
        }
        int[] assignments = null;
        List<Double> objectives = new ArrayList<>();
        for (int t = 0; t < iterations; t++) {
            int[] next = new int[points.length];
            double objective = 0;
            for (int i = 0; i < points.length; i++) {
                double best = Double.POSITIVE_INFINITY;
                for (int c = 0; c < k; c++) {
                    double d = 0;
                    for (int j = 0; j < dim; j++) {
                        d += (points[i][j] - centroids[c][j]) * (points[i][j] - centroids[c][j]);
                    }
                    if (d < best) {
                        best = d;
                        next[i] = c;
                    }
                }
                objective += best;
            }
            objectives.add(objective);
            boolean same = java.util.Arrays.equals(next, assignments);
            assignments = next;
            if (update == KMeans.Update.MEAN && same) {
                break;
            }
            for (int c = 0; c < k; c++) {
                double[] sum = new double[dim];
                int count = 0;
                for (int i = 0; i < points.length; i++) {
                    if (assignments[i] == c) {
                        count++;
                        for (int j = 0; j < dim; j++) {
                            sum[j] += points[i][j];
                        }
                    }
                }
                if (count == 0) {
                    continue;
                }
                for (int j = 0; j < dim; j++) {
                    centroids[c][j] = update == KMeans.Update.MEAN ? sum[j] / count
                            : (sum[j] + centroids[c][j]) / (count + 1);
                }
            }
        }
        return new Lloyd(assignments, objectives);
    }
}
