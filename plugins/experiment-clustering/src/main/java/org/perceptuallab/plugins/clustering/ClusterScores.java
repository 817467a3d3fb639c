package org.perceptuallab.plugins.clustering;

/**
 * How well clusters match labels. Each non-empty cluster is labelled by its majority class (ties: the
 * lowest class index) and every image gets its cluster's label. Then:
 * <ul>
 *   <li>{@code f1}: per-class F1 of those labels, weighted by class size (scikit-learn's "weighted");</li>
 *   <li>{@code meanPrecision}, {@code meanRecall}: per non-empty cluster, the share of its images in its
 *       majority class and the share of that class's images in it, averaged over clusters (the reference's
 *       figures);</li>
 *   <li>{@code purity}: images in their cluster's majority class over all images;</li>
 *   <li>{@code ari}: adjusted Rand index; {@code nmi}: mutual information over the arithmetic mean of the two
 *       entropies (1 when both partitions are a single set).</li>
 * </ul>
 * Empty clusters count in none of the per-cluster means; {@code emptyClusters} says how many there were.
 */
record ClusterScores(double f1, double meanPrecision, double meanRecall, double purity, double ari, double nmi,
                     int emptyClusters, int[] majority, int[][] contingency) {

    /** Scores of {@code clusters} (0..k-1 per image) against {@code labels} (0..classes-1 per image). */
    static ClusterScores of(int[] labels, int classes, int[] clusters, int k) {
        int n = labels.length;
        int[][] table = new int[k][classes];
        int[] clusterSize = new int[k];
        int[] classSize = new int[classes];
        for (int i = 0; i < n; i++) {
            table[clusters[i]][labels[i]]++;
            clusterSize[clusters[i]]++;
            classSize[labels[i]]++;
        }
        int[] majority = new int[k];
        int empty = 0;
        int correct = 0;
        double precisionSum = 0;
        double recallSum = 0;
        int[] predicted = new int[classes];
        int[] truePositive = new int[classes];
        for (int c = 0; c < k; c++) {
            if (clusterSize[c] == 0) {
                majority[c] = -1;
                empty++;
                continue;
            }
            int best = 0;
            for (int l = 1; l < classes; l++) {
                if (table[c][l] > table[c][best]) {
                    best = l;
                }
            }
            majority[c] = best;
            correct += table[c][best];
            precisionSum += (double) table[c][best] / clusterSize[c];
            recallSum += (double) table[c][best] / classSize[best];
            predicted[best] += clusterSize[c];
            truePositive[best] += table[c][best];
        }
        int nonEmpty = k - empty;
        double f1 = 0;
        for (int l = 0; l < classes; l++) {
            if (classSize[l] == 0 || truePositive[l] == 0) {
                continue;
            }
            double precision = (double) truePositive[l] / predicted[l];
            double recall = (double) truePositive[l] / classSize[l];
            f1 += (double) classSize[l] / n * 2 * precision * recall / (precision + recall);
        }
        return new ClusterScores(f1, precisionSum / nonEmpty, recallSum / nonEmpty, (double) correct / n,
                adjustedRand(table, clusterSize, classSize, n), nmi(table, clusterSize, classSize, n), empty, majority,
                table);
    }

    private static double pairs(long m) {
        return m * (m - 1) / 2.0;
    }

    private static double adjustedRand(int[][] table, int[] clusterSize, int[] classSize, int n) {
        double index = 0;
        for (int[] row : table) {
            for (int v : row) {
                index += pairs(v);
            }
        }
        double a = 0;
        for (int s : clusterSize) {
            a += pairs(s);
        }
        double b = 0;
        for (int s : classSize) {
            b += pairs(s);
        }
        double expected = a * b / pairs(n);
        double max = (a + b) / 2;
        // Both partitions all singletons or one set: they agree exactly.
        return max == expected ? 1.0 : (index - expected) / (max - expected);
    }

    private static double nmi(int[][] table, int[] clusterSize, int[] classSize, int n) {
        double mutual = 0;
        for (int c = 0; c < table.length; c++) {
            for (int l = 0; l < classSize.length; l++) {
                int v = table[c][l];
                if (v > 0) {
                    mutual += (double) v / n * Math.log((double) v * n / ((double) clusterSize[c] * classSize[l]));
                }
            }
        }
        double hClusters = entropy(clusterSize, n);
        double hClasses = entropy(classSize, n);
        if (hClusters == 0 && hClasses == 0) {
            return 1.0;
        }
        return Math.max(0, mutual) / ((hClusters + hClasses) / 2);
    }

    private static double entropy(int[] sizes, int n) {
        double h = 0;
        for (int s : sizes) {
            if (s > 0) {
                double p = (double) s / n;
                h -= p * Math.log(p);
            }
        }
        return h;
    }
}
