package org.perceptuallab.plugins.deep;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.perceptuallab.api.FeatureMap;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.kit.ObjectiveScope;
import org.perceptuallab.kit.tensor.Draws;
import org.perceptuallab.kit.tensor.Ops;
import org.perceptuallab.kit.tensor.TargetCache;

/**
 * The {@code vgg} and {@code alexnet} losses: sum over layers of weight * metric(features of x, features
 * of y) / divisor (the number of layers, or 1 under {@code layerReduction} sum). What the metrics need of
 * the target (its features, Gram matrices or sorted projections) is kept between calls while the target's
 * values stay the same (checked exactly) and the weights are fixed, which is what an optimisation against one
 * target or a 2AFC run against one reference does.
 */
final class DeepFeatureLoss implements Loss {
    /** A layer: name, stage index (-1 for the pixels), weight, metric. */
    record Layer(String name, int stage, double weight, FeatureMetric metric) {
    }

    /** How [-1, 1] images are mapped to the trunk's input; losses whose names match map them alike. */
    record InputScale(String name, UnaryOperator<NDArray> map) {
    }

    /**
     * A trunk pass over {@code input} kept in an {@link ObjectiveScope}: every stage it computed, through
     * {@code trunk}'s weights, after {@code scale}.
     */
    private record TrunkPass(NDArray input, String scale, Trunk trunk, Map<Integer, NDArray> stages) {
    }

    private final LossSpec spec;
    private final NDManager constants;
    private final Trunk trunk;
    private final List<Layer> layers;
    private final double divisor;
    private final Set<Integer> stages = new TreeSet<>();
    private final InputScale inputScale;
    private final Draws reinitDraws;
    /** Per layer, in layer order: the metric's {@link FeatureMetric#ofTarget} statistic of the target. */
    private final TargetCache targetCache;
    /** Images passed through the trunk so far. */
    private long trunkImages;

    /**
     * @param constants owns the trunk's weights and the metric's projections; closed by {@link #close()}
     * @param divisor what the weighted sum over layers is divided by
     * @param inputScale maps [-1, 1] images to the trunk's input scale
     * @param reinitDraws when not null, the weights are redrawn from it at every call
     */
    DeepFeatureLoss(LossSpec spec, NDManager constants, Trunk trunk, List<Layer> layers, double divisor,
                    InputScale inputScale, Draws reinitDraws) {
        this.spec = spec;
        this.constants = constants;
        this.trunk = trunk;
        this.layers = List.copyOf(layers);
        this.divisor = divisor;
        this.inputScale = inputScale;
        this.reinitDraws = reinitDraws;
        this.targetCache = new TargetCache(constants);
        layers.stream().filter(l -> l.stage() >= 0).forEach(l -> stages.add(l.stage()));
    }

    @Override
    public LossSpec spec() {
        return spec;
    }

    @Override
    public NDArray distance(NDArray x, NDArray y) {
        checkInput(x);
        if (!y.getShape().equals(x.getShape())) {
            checkInput(y);
        }
        if (reinitDraws != null) {
            trunk.redraw(reinitDraws);
        }
        return layerSum(features(x), targets(y, x));
    }

    /**
     * The activations of x once, then of each candidate (with redrawn weights, one draw for the call): a
     * 2AFC reference costs one trunk pass instead of one per candidate. One candidate is {@link #distance},
     * whose target cache serves a composite's optimisation loop.
     */
    @Override
    public List<NDArray> distancesFrom(NDArray x, List<NDArray> ys) {
        if (ys.size() == 1) {
            return List.of(distance(x, ys.get(0)));
        }
        checkInput(x);
        ys.forEach(this::checkInput);
        if (reinitDraws != null) {
            trunk.redraw(reinitDraws);
        }
        Map<Integer, NDArray> fx = features(x);
        List<NDArray> out = new ArrayList<>(ys.size());
        for (NDArray y : ys) {
            out.add(layerSum(fx, targetsOf(features(y))));
        }
        return out;
    }

    /** Sum over layers of weight * metric(fx, target) / divisor; targets in layer order. */
    private NDArray layerSum(Map<Integer, NDArray> fx, List<NDArray> targets) {
        NDArray total = null;
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            NDArray term = Ops.times(l.metric().distanceToTarget(fx.get(l.stage()), targets.get(i)),
                    l.weight() / divisor);
            total = total == null ? term : total.add(term);
        }
        return total;
    }

    private void checkInput(NDArray images) {
        if (trunk != null) {
            trunk.checkInput("loss '" + spec.id() + "'", images.getShape(), stages);
        }
    }

    /** The features of every layer by stage index; the pixels are the image itself. */
    private Map<Integer, NDArray> features(NDArray images) {
        Map<Integer, NDArray> out = new HashMap<>(stages.isEmpty() ? Map.of() : trunkFeatures(images));
        out.put(-1, images);
        return out;
    }

    /**
     * The trunk's maps of the wanted stages. Inside an {@link ObjectiveScope} (one evaluation of an objective),
     * they come from a pass another loss made over the same array through the same weights where there is one
     * (style transfer's content term reuses the style loss's pass), and a new pass is kept there whole for
     * later calls. Redrawn weights never share.
     */
    private Map<Integer, NDArray> trunkFeatures(NDArray images) {
        Optional<ObjectiveScope> scope = reinitDraws == null ? ObjectiveScope.current() : Optional.empty();
        if (scope.isEmpty()) {
            trunkImages += images.getShape().get(0);
            return trunk.features(inputScale.map().apply(images), stages);
        }
        int last = Collections.max(stages);
        Optional<TrunkPass> shared = scope.get().kept(TrunkPass.class).stream()
                .filter(p -> p.input() == images && p.scale().equals(inputScale.name())
                        && p.stages().keySet().containsAll(stages) && trunk.sameStagesAs(p.trunk(), last))
                .findFirst();
        Map<Integer, NDArray> all;
        if (shared.isPresent()) {
            all = shared.get().stages();
        } else {
            trunkImages += images.getShape().get(0);
            all = trunk.features(inputScale.map().apply(images), stages, true);
            scope.get().keep(new TrunkPass(images, inputScale.name(), trunk, all), all.values());
        }
        // views owned by the call, so what it computes from them is released with it, not with the scope
        Map<Integer, NDArray> wanted = new HashMap<>();
        stages.forEach(i -> wanted.put(i, Ops.castLike(all.get(i), images)));
        return wanted;
    }

    /** The metrics' statistics of the target, per layer, from the cache while the target is unchanged. */
    private List<NDArray> targets(NDArray y, NDArray x) {
        if (reinitDraws != null) {
            return targetsOf(features(y));
        }
        return targetCache.get(y, x, target -> targetsOf(features(target)));
    }

    /** Each layer's metric statistic of the target's features, in layer order. */
    private List<NDArray> targetsOf(Map<Integer, NDArray> features) {
        return layers.stream().map(l -> l.metric().ofTarget(features.get(l.stage()))).toList();
    }

    /** Targets whose features were computed into the cache so far. */
    int targetComputations() {
        return targetCache.computations();
    }

    /** Images passed through the trunk so far. */
    long trunkImages() {
        return trunkImages;
    }

    /** The metric every layer shares (one {@code metric} parameter). */
    private String metricName() {
        return spec.params().path("metric").asText();
    }

    /**
     * Under the l2 metric with fixed weights: each layer's features flattened and scaled by
     * sqrt(weight / (divisor * feature-map size)), whose squared Euclidean distance is the loss exactly.
     * Other metrics (l1, Gram, cx) are not a squared distance of per-image features, so they have none.
     */
    @Override
    public Optional<FeatureMap> featureMap() {
        if (!"l2".equals(metricName()) || reinitDraws != null) {
            return Optional.empty();
        }
        return Optional.of(x -> Ops.scoped(x, xs -> {
            checkInput(xs);
            Map<Integer, NDArray> f = DeepFeatureLoss.this.features(xs);
            NDList parts = new NDList();
            for (Layer l : layers) {
                NDArray a = FeatureMetric.rows(f.get(l.stage()));
                double size = a.getShape().get(1);
                parts.add(Ops.times(a, Math.sqrt(l.weight() / divisor / size)));
            }
            return Ops.concat(parts, 1);
        }));
    }

    /**
     * Under reinit, a view whose weights are one draw of the seed's stream (the next), fixed for all its
     * calls, in its own manager; it shares the metrics' constants.
     */
    @Override
    public Loss oneDraw() {
        if (reinitDraws == null) {
            return this;
        }
        NDManager own = constants.newSubManager();
        return new DeepFeatureLoss(spec, own, trunk.redrawnCopy(reinitDraws, own), layers, divisor, inputScale,
                null);
    }

    /** Every metric but the contextual loss compares the two maps symmetrically; redrawn weights break it. */
    @Override
    public boolean symmetric() {
        return reinitDraws == null && !"cx".equals(metricName());
    }

    /** Gram statistics are C x C whatever the image size, so x and y may differ in size. */
    @Override
    public boolean acceptsDifferentSizes() {
        return metricName().startsWith("gram");
    }

    @Override
    public Map<String, NDArray> activations(NDArray x) {
        checkInput(x);
        Map<Integer, NDArray> f = features(x);
        Map<String, NDArray> byName = new LinkedHashMap<>();
        layers.forEach(l -> byName.put(l.name(), f.get(l.stage())));
        return byName;
    }

    @Override
    public void close() {
        targetCache.close();
        constants.close();
    }
}
