package org.perceptuallab.plugins.deep;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;
import org.perceptuallab.kit.tensor.Draws;
import org.perceptuallab.kit.tensor.Ops;

/**
 * A per-pair distance between two feature maps (N, C, H, W), as LOSSES.md defines the {@code metric}
 * parameter of the deep-feature losses. Result shape (N), each pair independent of the others. The target's
 * side of a metric (its Gram matrix, its sorted projections) is computed by {@link #ofTarget}, so a loss can
 * keep it while the target stays the same.
 */
@FunctionalInterface
interface FeatureMetric {
    /** The metric names of the {@code metric} parameter. */
    List<String> NAMES = List.of("l1", "l2", "cosine", "dot", "gram", "gram-trace", "l1+gram", "swd", "cx");

    /**
     * The contextual loss's options: the distance between positions (cosine, l1 or l2) and the bandwidth h.
     */
    record Contextual(String distance, double bandwidth) {
        /** The distance names of {@code cxDistance}. */
        static final List<String> DISTANCES = List.of("cosine", "l1", "l2");
        /** The study's defaults (and so the golden values'). */
        static final Contextual DEFAULT = new Contextual("cosine", 0.5);
    }

    /** The distance from x's map {@code a} to a target's {@link #ofTarget} statistic. */
    NDArray distanceToTarget(NDArray a, NDArray target);

    /** What {@link #distanceToTarget} needs of the target's map {@code b}; by default the map itself. */
    default NDArray ofTarget(NDArray b) {
        return b;
    }

    /** The distance between the maps of x and of a target. */
    default NDArray distance(NDArray a, NDArray b) {
        return distanceToTarget(a, ofTarget(b));
    }

    /** The metric comparing a statistic of x's map with the same statistic of the target's. */
    static FeatureMetric ofStatistic(UnaryOperator<NDArray> statistic, BinaryOperator<NDArray> compare) {
        return new FeatureMetric() {
            @Override
            public NDArray distanceToTarget(NDArray a, NDArray target) {
                return compare.apply(statistic.apply(a), target);
            }

            @Override
            public NDArray ofTarget(NDArray b) {
                return statistic.apply(b);
            }
        };
    }

    /**
     * The metric called {@code name} for a layer of {@code channels} channels; {@code swd} draws its 5C
     * projections from {@code draws} into {@code manager}; {@code cx} uses {@code contextual}.
     */
    static FeatureMetric of(String name, long channels, Draws draws, NDManager manager, Contextual contextual) {
        return switch (name) {
            case "l1" -> FeatureMetric::l1;
            case "l2" -> FeatureMetric::l2;
            case "cosine" -> FeatureMetric::cosine;
            case "dot" -> FeatureMetric::dot;
            case "gram" -> ofStatistic(FeatureMetric::gramMatrix, FeatureMetric::squaredDifference);
            case "gram-trace" -> ofStatistic(FeatureMetric::gramDiagonal, FeatureMetric::squaredDifference);
            case "l1+gram" -> (a, b) -> l1(a, b).add(Ops.times(
                    squaredDifference(gramMatrix(a), gramMatrix(b)), 0.5));
            case "swd" -> slicedWasserstein(projections(channels, draws, manager));
            case "cx" -> (a, b) -> contextual(a, b, contextual);
            default -> throw new IllegalArgumentException(name);
        };
    }

    /**
     * The per-sample rows (N, H*W*C) of a feature map, in channels-last order: a view of the trunk's
     * channels-last maps (a copy of other layouts). Per-sample sums do not depend on the order.
     */
    static NDArray rows(NDArray f) {
        return f.transpose(0, 2, 3, 1).reshape(f.getShape().get(0), -1);
    }

    /** The feature vector at each position, (N, H*W, C); a view of a channels-last map. */
    static NDArray positions(NDArray f) {
        Shape s = f.getShape();
        return f.transpose(0, 2, 3, 1).reshape(s.get(0), -1, s.get(1));
    }

    /**
     * Mean |a - b| per pair, as a sum scaled afterwards: a sum's backward pass is a broadcast view, where a
     * mean's writes a full map of 1/size.
     */
    private static NDArray l1(NDArray a, NDArray b) {
        NDArray d = rows(a.sub(b));
        return Ops.times(d.abs().sum(new int[] {1}), 1.0 / d.getShape().get(1));
    }

    private static NDArray l2(NDArray a, NDArray b) {
        NDArray d = rows(a.sub(b));
        return Ops.times(d.square().sum(new int[] {1}), 1.0 / d.getShape().get(1));
    }

    /** Keeps the cosine metric's normalisation finite, with a finite gradient, where a whole map is zero. */
    double COSINE_NORM_EPSILON = 1e-12;

    /**
     * 1 - cos(a, b) of the flattened maps, as ||a/|a| - b/|b|||^2 / 2 (|v| = sqrt(||v||^2 + 1e-12)): the same
     * number for non-zero maps, exactly 0 at a = b and never negative, without the cancellation of 1 - cos near
     * a = b. A zero map is at distance 1/2 from every non-zero one.
     */
    private static NDArray cosine(NDArray a, NDArray b) {
        NDArray d = unitRows(rows(a)).sub(unitRows(rows(b)));
        return Ops.times(d.square().sum(new int[] {1}), 0.5);
    }

    /**
     * The study's {@code dot}: 1 - <a, b> of the maps flattened per sample, unnormalised as the study has it.
     * Outside the loss contract (not 0 at a = b, unbounded below), like cx; {@code cosine} is its normalised form.
     */
    private static NDArray dot(NDArray a, NDArray b) {
        return rows(a).mul(rows(b)).sum(new int[] {1}).neg().add(1);
    }

    private static NDArray unitRows(NDArray r) {
        return r.div(r.square().sum(new int[] {1}, true).add(COSINE_NORM_EPSILON).sqrt());
    }

    /** Mean squared difference per pair, of Gram matrices or their diagonals. */
    private static NDArray squaredDifference(NDArray a, NDArray b) {
        return Ops.meanPerSample(a.sub(b).square());
    }

    /**
     * The Gram matrix F F^T / (H W), computed as 2 sg(F) F^T - sg(F F^T) (sg: no gradient): the same values
     * exactly (2h - h is exact), whose backward pass is one matrix product, 2 F^T dG, where autograd would take
     * two for F F^T (dG F and dG^T F: equal, the metrics' dG being symmetric) and add them. With F on the right
     * the product's gradient comes out (H W, C), the channels-last layout of the trunk's maps, so adding it to
     * the gradient from the next layer needs no transposition. Done whether or not f is in a graph: DJL's
     * {@code hasGradient} is false for every map but a leaf, and without a graph the extra work is two C x C
     * operations.
     */
    private static NDArray gramMatrix(NDArray f) {
        Shape s = f.getShape();
        NDArray p = positions(f);
        NDArray h = p.stopGradient().transpose(0, 2, 1).batchMatMul(p);
        NDArray g = Ops.times(h, 2).sub(h.stopGradient());
        return Ops.times(g, 1.0 / (s.get(2) * s.get(3)));
    }

    /** The diagonal of the Gram matrix, (N, C). */
    private static NDArray gramDiagonal(NDArray f) {
        Shape s = f.getShape();
        return Ops.times(f.square().sum(new int[] {2, 3}), 1.0 / (s.get(2) * s.get(3)));
    }

    /** N(0,1) draws (C, 5C), each column divided by its unbiased standard deviation. */
    private static NDArray projections(long channels, Draws draws, NDManager manager) {
        NDArray raw = draws.normal(manager, new Shape(channels, 5 * channels));
        NDArray p = Ops.columnsOverStd(raw);
        raw.close();
        return p;
    }

    /** Mean absolute difference of the sorted projections of the H*W feature vectors. */
    private static FeatureMetric slicedWasserstein(NDArray projections) {
        return ofStatistic(f -> project(f, Ops.castLike(projections, f)),
                (a, b) -> Ops.meanPerSample(a.sub(b).abs()));
    }

    private static NDArray project(NDArray f, NDArray p) {
        return positions(f).matMul(p).sort(1);
    }

    /** Keeps the gradient of the normalisation finite where a centred feature vector is zero. */
    double CX_NORM_EPSILON = 1e-12;

    /**
     * Contextual loss in float64: pool by 2 while H*W >= 128^2; distances d between positions of x and of y
     * (cosine: both centred by y's channel mean over positions, per pair, which is the reference's batch-wide
     * mean for a batch of one, then 1 - cosine similarity; l1: sum of |x_c - y_c| over channels; l2: sum of
     * (x_c - y_c)^2); d~ = d / (min_j d + 1e-5); w = exp((1 - d~) / h); cx_ij = w_ij / sum_j w_ij; distance =
     * -log(mean_j max_i cx_ij + 1e-5). Pairs are done one at a time to bound memory. The casts to float64
     * and back keep the gradient (Ops.toFloat64, Ops.valuesLike), as does a batch of one.
     */
    private static NDArray contextual(NDArray a, NDArray b, Contextual options) {
        NDArray x = Ops.toFloat64(a);
        NDArray y = Ops.toFloat64(b);
        while (x.getShape().get(2) * x.getShape().get(3) >= 128 * 128) {
            x = Ops.avgPool(x, 2, 2);
            y = Ops.avgPool(y, 2, 2);
        }
        NDList perPair = new NDList();
        for (long n = 0; n < x.getShape().get(0); n++) {
            String row = n + ":" + (n + 1);
            perPair.add(Ops.scoped(x.get(row), y.get(row), (xn, yn) -> contextualPair(xn, yn, options)));
        }
        return Ops.valuesLike(Ops.concat(perPair, 0), a);
    }

    /**
     * One pair. With m_i = min_j d_ij, w_ij = exp((1 - d_ij / (m_i + 1e-5)) / h) is computed as
     * exp((m_i - d_ij) / ((m_i + 1e-5) h)): that is w_ij times a factor constant along each row i, which the
     * normalisation over j removes, and the exponent is never positive. Under cosine, m_i - d_ij = s_ij - s*_i
     * (s the similarity, s*_i its row maximum), taken so.
     */
    private static NDArray contextualPair(NDArray x, NDArray y, Contextual options) {
        NDArray gap;
        NDArray scale;
        if (options.distance().equals("cosine")) {
            NDArray fx = positions(x).get(0).transpose();
            NDArray fy = positions(y).get(0).transpose();
            NDArray mean = fy.mean(new int[] {1}, true);
            NDArray similarity = unit(fx.sub(mean)).transpose().matMul(unit(fy.sub(mean)));
            NDArray best = similarity.max(new int[] {1}, true);
            gap = similarity.sub(best);
            scale = best.neg().add(1 + 1e-5);
        } else {
            NDArray d = options.distance().equals("l1")
                    ? l1Distances(positions(x).get(0), positions(y).get(0))
                    : l2Distances(positions(x).get(0), positions(y).get(0));
            NDArray nearest = d.min(new int[] {1}, true);
            gap = nearest.sub(d);
            scale = nearest.add(1e-5);
        }
        NDArray rate = Ops.times(Ops.pow(scale, -1), 1 / options.bandwidth());
        NDArray w = gap.mul(rate).exp();
        NDArray cx = w.div(w.sum(new int[] {1}, true));
        NDArray score = cx.max(new int[] {0}).mean();
        return score.add(1e-5).log().neg().reshape(1);
    }

    /** sum over channels of |x_ic - y_jc| for positions x (Px, C) and y (Py, C); a (Px, Py, C) temporary. */
    private static NDArray l1Distances(NDArray x, NDArray y) {
        return x.expandDims(1).sub(y.expandDims(0)).abs().sum(new int[] {2});
    }

    /** ||x_i - y_j||^2 for positions x (Px, C) and y (Py, C), as |x_i|^2 + |y_j|^2 - 2 x_i.y_j clamped at 0. */
    private static NDArray l2Distances(NDArray x, NDArray y) {
        NDArray dot = x.matMul(y.transpose());
        NDArray xx = x.square().sum(new int[] {1}, true);
        NDArray yy = y.square().sum(new int[] {1}, true).transpose();
        return Ops.nonNegative(xx.add(yy).sub(Ops.times(dot, 2)));
    }

    private static NDArray unit(NDArray f) {
        return f.div(f.square().sum(new int[] {0}, true).add(CX_NORM_EPSILON).sqrt());
    }
}
