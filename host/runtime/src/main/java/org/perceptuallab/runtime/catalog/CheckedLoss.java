package org.perceptuallab.runtime.catalog;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.perceptuallab.api.FeatureMap;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.InputBound;
import org.perceptuallab.kit.tensor.Ops;

/**
 * A loss whose inputs and output (shape, finite values) are checked on every call, and whose temporaries
 * are released when the call returns. What the loss's own code throws, other than a {@link PlabException},
 * becomes a {@link PluginFailure} naming its plugin.
 */
final class CheckedLoss implements Loss {
    private final Loss inner;
    private final String owner;
    private final String origin;
    private final boolean acceptsDifferentSizes;
    private final boolean defaultDistancesFrom;
    private final double inputBound;

    /**
     * @param origin where the loss's family came from, named when the loss's own code fails
     * @param inputBound the bound B of its inputs, [-B, B] (1 for images; see {@link InputBound})
     */
    CheckedLoss(Loss inner, String origin, double inputBound) {
        this.inner = inner;
        this.inputBound = inputBound;
        this.owner = "loss '" + inner.spec().id() + "'";
        this.origin = origin;
        this.acceptsDifferentSizes = pluginCall("acceptsDifferentSizes", inner::acceptsDifferentSizes);
        this.defaultDistancesFrom = keepsDefaultDistancesFrom(inner);
    }

    @Override
    public LossSpec spec() {
        return inner.spec();
    }

    @Override
    public NDArray distance(NDArray x, NDArray y) {
        Inputs.checkPair(owner, x, y, acceptsDifferentSizes, inputBound);
        // Every temporary of the call is released on return, even where a loss computes on y first
        // (a constant target in an optimisation loop would otherwise collect them).
        NDArray d = pluginCall("distance", () -> Ops.scoped(x, y, inner::distance));
        return checkedDistances("distance", "", d, x.getShape().get(0));
    }

    /** Each candidate is checked against x as a pair is; each result as a distance call's. */
    @Override
    public List<NDArray> distancesFrom(NDArray x, List<NDArray> ys) {
        ys.forEach(y -> Inputs.checkPair(owner, x, y, acceptsDifferentSizes, inputBound));
        List<NDArray> out = pluginCall("distancesFrom", () -> {
            NDManager home = x.getManager();
            try (NDManager scope = home.newSubManager()) {
                scope.tempAttachAll(Stream.concat(Stream.of(x), ys.stream()).distinct().toArray(NDArray[]::new));
                List<NDArray> d = defaultDistancesFrom ? fastDistancesFrom(x, ys) : inner.distancesFrom(x, ys);
                d.forEach(a -> a.attach(home));
                return d;
            }
        });
        if (out.size() != ys.size()) {
            throw PluginFailure.of(owner + ": distancesFrom", inner.getClass(), origin, null, "it returned "
                    + out.size() + " distance arrays for " + ys.size() + " candidate batches; it must return one each");
        }
        for (int i = 0; i < out.size(); i++) {
            checkedDistances("distancesFrom", "candidate batch " + (i + 1) + " of " + out.size() + ", ", out.get(i),
                    x.getShape().get(0));
        }
        return out;
    }

    /** Whether the plugin's loss keeps the api's default distancesFrom, one distance call per candidate. */
    private static boolean keepsDefaultDistancesFrom(Loss loss) {
        try {
            return loss.getClass().getMethod("distancesFrom", NDArray.class, List.class).getDeclaringClass()
                    == Loss.class;
        } catch (NoSuchMethodException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /**
     * The distances from x to several candidates of a loss that keeps the api's default, computed faster here
     * so that every such loss gets it: from the exact feature map where there is one (the features of x once,
     * of each candidate once), else one distance call on x repeated against the candidates concatenated.
     */
    private List<NDArray> fastDistancesFrom(NDArray x, List<NDArray> ys) {
        if (ys.size() < 2) {
            return inner.distancesFrom(x, ys);
        }
        Optional<FeatureMap> map = inner.featureMap();
        if (map.isPresent()) {
            NDArray fx = map.get().features(x);
            return ys.stream().map(y -> fx.sub(map.get().features(y)).square().sum(new int[] {1})).toList();
        }
        NDArray d = inner.distance(NDArrays.concat(new NDList(Collections.nCopies(ys.size(), x)), 0),
                NDArrays.concat(new NDList(ys), 0));
        long n = x.getShape().get(0);
        List<NDArray> out = new ArrayList<>(ys.size());
        for (int k = 0; k < ys.size(); k++) {
            out.add(d.get((k * n) + ":" + ((k + 1) * n)));
        }
        return out;
    }

    /**
     * {@code d} when it holds one finite distance per pair of a batch of n; else the plugin's failure, naming
     * {@code which} result it was ("candidate batch 2 of 3, ") and the pairs.
     */
    private NDArray checkedDistances(String step, String which, NDArray d, long n) {
        if (d.getShape().dimension() != 1 || d.getShape().get(0) != n) {
            throw PluginFailure.of(owner + ": " + step, inner.getClass(), origin, null, "it returned " + which + "shape "
                    + d.getShape() + " for a batch of " + n + "; a loss must return one distance per pair");
        }
        List<Long> nonFinite = nonFinite(d);
        if (!nonFinite.isEmpty()) {
            throw PluginFailure.of(owner + ": " + step, inner.getClass(), origin, null, "it returned NaN or"
                    + " infinity for " + which + "pair(s) " + nonFinite + " of inputs that passed the checks"
                    + weightFiles());
        }
        return d;
    }

    @Override
    public Optional<FeatureMap> featureMap() {
        return pluginCall("featureMap", inner::featureMap)
                .map(map -> x -> {
                    Inputs.checkImages(owner, "x", x, inputBound);
                    return pluginCall("features", () -> map.features(x));
                });
    }

    @Override
    public boolean symmetric() {
        return pluginCall("symmetric", inner::symmetric);
    }

    @Override
    public boolean acceptsDifferentSizes() {
        return acceptsDifferentSizes;
    }

    @Override
    public Map<String, NDArray> activations(NDArray x) {
        Inputs.checkImages(owner, "x", x, inputBound);
        return pluginCall("activations", () -> inner.activations(x));
    }

    /** The loss's weight files (parameters named like {@code weights}), suspects when it returns NaN. */
    private String weightFiles() {
        List<String> files = new ArrayList<>();
        inner.spec().params().fields().forEachRemaining(p -> {
            if (p.getKey().toLowerCase(Locale.ROOT).contains("weights") && p.getValue().isTextual()) {
                files.add(p.getKey() + "=" + p.getValue().asText());
            }
        });
        return files.isEmpty() ? "" : " (weights " + String.join(", ", files) + ": damaged, or made for another"
                + " network?)";
    }

    /** Runs the plugin's code; what it throws, other than an actionable PlabException, names the plugin. */
    private <T> T pluginCall(String step, Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException | LinkageError | AssertionError e) {
            throw PluginFailure.wrap(owner + ": " + step, inner.getClass(), origin, e);
        }
    }

    /** Indices of the pairs whose distance is NaN or infinite; the common case costs one sum and one sync. */
    private static List<Long> nonFinite(NDArray d) {
        double[] values;
        try (NDArray sum = d.sum(); NDArray wide = sum.toType(DataType.FLOAT64, true)) {
            if (Double.isFinite(wide.getDouble())) {
                return List.of();
            }
        }
        try (NDArray wide = d.toType(DataType.FLOAT64, true)) {
            values = wide.toDoubleArray();
        }
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                out.add((long) i);
            }
        }
        return out;
    }

    /** The plugin's one-draw view, checked as this loss is; this loss itself where the plugin returns its own. */
    @Override
    public Loss oneDraw() {
        Loss view = pluginCall("oneDraw", inner::oneDraw);
        return view == inner ? this : new CheckedLoss(view, origin, inputBound);
    }

    @Override
    public void close() {
        pluginCall("close", () -> {
            inner.close();
            return null;
        });
    }

}
