package org.perceptuallab.plugins.pixel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.Examples;
import org.perceptuallab.kit.InputBound;
import org.perceptuallab.kit.tensor.Ops;
import org.perceptuallab.kit.tensor.Pyramids;
import org.pf4j.Extension;

/**
 * Losses built from other installed losses, named by id and params: {@code pyramid}, {@code laplacian},
 * {@code window} and {@code sum}. The inner losses come from the context's factory, so they may live in any plugin.
 */
public final class CompositeLosses {
    private CompositeLosses() {
    }

    /**
     * A loss computed from inner losses; closes those it owns with itself. Each form is written once, from x
     * against candidate batches, on its inner losses' {@link Loss#distancesFrom}: what an inner loss shares
     * between candidates is shared inside the composite too, and a single distance is the one-candidate case.
     */
    private record Composite(LossSpec spec, List<Loss> inner, List<Loss> owned, Form form, Runnable release)
            implements Loss {
        Composite(LossSpec spec, List<Loss> inner, Form form) {
            this(spec, inner, form, () -> { });
        }

        /** @param release frees the form's own constants when the loss closes (not its views') */
        Composite(LossSpec spec, List<Loss> inner, Form form, Runnable release) {
            this(spec, inner, inner, form, release);
        }

        @Override
        public NDArray distance(NDArray x, NDArray y) {
            return form.apply(inner, x, List.of(y)).get(0);
        }

        @Override
        public List<NDArray> distancesFrom(NDArray x, List<NDArray> ys) {
            return form.apply(inner, x, ys);
        }

        /** Each form applies its inner losses to x and y alike, so it is as symmetric as they all are. */
        @Override
        public boolean symmetric() {
            return inner.stream().allMatch(Loss::symmetric);
        }

        /** The same form on the inner losses' one-draw views; it owns only the views that are new. */
        @Override
        public Loss oneDraw() {
            List<Loss> views = inner.stream().map(Loss::oneDraw).toList();
            List<Loss> fresh = new ArrayList<>();
            for (int i = 0; i < views.size(); i++) {
                if (views.get(i) != inner.get(i)) {
                    fresh.add(views.get(i));
                }
            }
            return fresh.isEmpty() ? this : new Composite(spec, views, List.copyOf(fresh), form, () -> { });
        }

        @Override
        public void close() {
            owned.forEach(Loss::close);
            release.run();
        }
    }

    /** A composite's distances from x to each candidate batch, computed with its inner losses. */
    @FunctionalInterface
    private interface Form {
        List<NDArray> apply(List<Loss> inner, NDArray x, List<NDArray> ys);
    }

    /** total + weight * terms, element by element; the terms alone when there is no total yet. */
    private static List<NDArray> weightedAdd(List<NDArray> total, List<NDArray> terms, double weight) {
        List<NDArray> out = new ArrayList<>(terms.size());
        for (int k = 0; k < terms.size(); k++) {
            NDArray term = Ops.times(terms.get(k), weight);
            out.add(total == null ? term : total.get(k).add(term));
        }
        return out;
    }

    /**
     * Sum over levels j of weight(j) * inner(x's level j, each candidate's level j): the form of the pyramid
     * composites, whatever pyramid made the levels.
     */
    private static List<NDArray> levelSum(Loss inner, List<NDArray> xs, List<List<NDArray>> yss,
                                          IntToDoubleFunction weight) {
        List<NDArray> total = null;
        for (int j = 0; j < xs.size(); j++) {
            int level = j;
            total = weightedAdd(total, inner.distancesFrom(xs.get(j), yss.stream().map(l -> l.get(level)).toList()),
                    weight.applyAsDouble(j));
        }
        return total;
    }

    /** The canonical spec: params with the inner loss replaced by its own canonical spec. */
    private static LossSpec withInner(String id, Params params, Param<LossSpec> key, Loss inner) {
        ObjectNode json = params.json();
        json.set(key.name(), inner.spec().json());
        return new LossSpec(id, json);
    }

    /** Weighted sum of a loss over a Gaussian (2 x 2 average) pyramid. */
    @Extension
    public static final class Pyramid implements LossFamily {
        private static final Param<LossSpec> OF = Param.loss("of", null,
                "the loss applied at every level, {\"loss\": id, \"params\": {...}}");
        private static final Param<Integer> LEVELS = Param.integer("levels", 2, 0, 10,
                "number of downscalings (levels + 1 images)");
        private static final Param<double[]> WEIGHTS = Param.reals("weights", null, 0, 1e6,
                "one weight per image, levels + 1 of them (default: 1 each)");

        @Override
        public String id() {
            return "pyramid";
        }

        @Override
        public String summary() {
            return "weighted sum of a loss over a 2x2-average-pooling pyramid";
        }

        /** Small configurations for checks and docs, fast on 32 x 32 images. */
        @Override
        public List<ObjectNode> examples() {
            return Examples.of("{\"of\": {\"loss\": \"ssim\", \"params\": {\"window\": 3}}, \"levels\": 2, \"weights\": [1, 0.5, 0.25]}");
        }

        @Override
        public ParamSpec params() {
            return ParamSpec.of(OF, LEVELS, WEIGHTS);
        }

        @Override
        public Loss create(Params params, LossContext context) {
            int levels = params.get(LEVELS);
            double[] weights = new double[levels + 1];
            java.util.Arrays.fill(weights, 1.0);
            if (params.find(WEIGHTS).isPresent()) {
                weights = params.get(WEIGHTS);
                if (weights.length != levels + 1) {
                    throw new PlabException("loss 'pyramid': parameter 'weights' needs levels + 1 = " + (levels + 1)
                            + " values, got " + weights.length);
                }
            }
            Loss inner = context.losses().create(params.get(OF), context);
            double[] w = weights;
            return new Composite(withInner(id(), params, OF, inner), List.of(inner), (losses, x, ys) -> {
                long side = Math.min(x.getShape().get(2), x.getShape().get(3));
                if (side >> levels < 1) {
                    throw new PlabException("loss 'pyramid': " + levels + " levels need images of at least "
                            + (1 << levels) + " pixels a side, got " + side);
                }
                List<List<NDArray>> yss = ys.stream().map(y -> Pyramids.average(y, levels)).toList();
                return levelSum(losses.get(0), Pyramids.average(x, levels), yss, j -> w[j]);
            });
        }
    }

    /**
     * The study's Laplacian-pyramid wrapper of any loss: the loss on each band of x and y, weighted by the
     * band. Bands are differences of two images, in [-2, 2]; the inner loss gets them as they are, built with a
     * context declaring that range ({@link InputBound}), so its value is the study's however it scales.
     */
    @Extension
    public static final class Laplacian implements LossFamily {
        static final String ID = "laplacian";
        private static final Param<LossSpec> OF = Param.loss("of", null,
                "the loss applied to every band, {\"loss\": id, \"params\": {...}}");
        private static final Param<Integer> LEVELS = LaplacianPyramid.LEVELS;
        private static final Param<Integer> KERNEL_SIZE = LaplacianPyramid.KERNEL_SIZE;
        private static final Param<Double> SIGMA = LaplacianPyramid.sigma(1.0);
        private static final Param<String> WEIGHTING = LaplacianPyramid.Weighting.param();
        /** A band is an image minus its blur: twice the images' bound. */
        private static final double BAND_BOUND_FACTOR = 2;

        @Override
        public String id() {
            return ID;
        }

        @Override
        public String summary() {
            return "weighted sum of a loss over the bands of the study's Laplacian pyramid";
        }

        /** Small configurations for checks and docs, fast on 32 x 32 images. */
        @Override
        public List<ObjectNode> examples() {
            return Examples.of("{\"of\": {\"loss\": \"l1\"}}",
                    "{\"of\": {\"loss\": \"ssim\", \"params\": {\"window\": 3}}, \"levels\": 3, \"kernelSize\": 3,"
                            + " \"sigma\": 2, \"weighting\": \"4^(levels-j)\"}");
        }

        @Override
        public ParamSpec params() {
            return ParamSpec.of(OF, LEVELS, KERNEL_SIZE, SIGMA, WEIGHTING);
        }

        @Override
        public Loss create(Params params, LossContext context) {
            int levels = params.get(LEVELS);
            LaplacianPyramid.Weighting weighting = LaplacianPyramid.Weighting.of(params.get(WEIGHTING));
            LaplacianPyramid pyramid = new LaplacianPyramid(ID, levels, params.get(KERNEL_SIZE), params.get(SIGMA),
                    context.manager());
            Loss inner;
            try {
                inner = context.losses().create(params.get(OF), InputBound.widened(context, BAND_BOUND_FACTOR));
            } catch (RuntimeException e) {
                pyramid.close();
                throw e;
            }
            return new Composite(withInner(ID, params, OF, inner), List.of(inner), (losses, x, ys) -> {
                List<List<NDArray>> yss = ys.stream().map(pyramid::bands).toList();
                return levelSum(losses.get(0), pyramid.bands(x), yss, j -> weighting.weight(j, levels));
            }, pyramid::close);
        }
    }

    /** Mean of a loss over sliding windows. */
    @Extension
    public static final class Window implements LossFamily {
        private static final Param<LossSpec> OF = Param.loss("of", null, "the loss applied to every window");
        private static final Param<Integer> SIZE = Param.integer("size", 32, 1, 1 << 16, "window side in pixels");
        private static final Param<Integer> STRIDE = Param.integer("stride", 16, 1, 1 << 16,
                "step between windows in pixels");

        @Override
        public String id() {
            return "window";
        }

        @Override
        public String summary() {
            return "mean of a loss over all size x size windows at a stride";
        }

        /** Small configurations for checks and docs, fast on 32 x 32 images. */
        @Override
        public List<ObjectNode> examples() {
            return Examples.of("{\"of\": {\"loss\": \"l1\"}, \"size\": 8, \"stride\": 4}");
        }

        @Override
        public ParamSpec params() {
            return ParamSpec.of(OF, SIZE, STRIDE);
        }

        @Override
        public Loss create(Params params, LossContext context) {
            int size = params.get(SIZE);
            int stride = params.get(STRIDE);
            Loss inner = context.losses().create(params.get(OF), context);
            return new Composite(withInner(id(), params, OF, inner), List.of(inner), (losses, x, ys) -> {
                Shape s = x.getShape();
                if (size > s.get(2) || size > s.get(3)) {
                    throw new PlabException("loss 'window': parameter 'size' (" + size + ") exceeds the image "
                            + s.get(2) + "x" + s.get(3));
                }
                NDArray xw = Ops.windows(x, size, stride);
                List<NDArray> yws = ys.stream().map(y -> Ops.windows(y, size, stride)).toList();
                long n = s.get(0);
                return losses.get(0).distancesFrom(xw, yws).stream().map(d -> d.reshape(n, -1).mean(new int[] {1})).toList();
            });
        }
    }

    /** Weighted sum of losses. */
    @Extension
    public static final class Sum implements LossFamily {
        private static final Param<List<Map.Entry<Double, LossSpec>>> TERMS = Param.terms("terms",
                "the terms, [{\"weight\": w, \"loss\": id, \"params\": {...}}, ...]");

        @Override
        public String id() {
            return "sum";
        }

        @Override
        public String summary() {
            return "weighted sum of losses";
        }

        /** Small configurations for checks and docs, fast on 32 x 32 images. */
        @Override
        public List<ObjectNode> examples() {
            return Examples.of("{\"terms\": [{\"weight\": 0.3, \"loss\": \"l2\"}, {\"weight\": 2, \"loss\": \"grad\"}]}");
        }

        @Override
        public ParamSpec params() {
            return ParamSpec.of(TERMS);
        }

        @Override
        public Loss create(Params params, LossContext context) {
            List<Map.Entry<Double, LossSpec>> terms = params.get(TERMS);
            List<Loss> inner = new ArrayList<>();
            ObjectNode json = params.json();
            ArrayNode canonical = json.putArray(TERMS.name());
            for (Map.Entry<Double, LossSpec> t : terms) {
                Loss loss = context.losses().create(t.getValue(), context);
                inner.add(loss);
                canonical.add(loss.spec().json().put("weight", t.getKey()));
            }
            double[] weights = terms.stream().mapToDouble(Map.Entry::getKey).toArray();
            return new Composite(new LossSpec(id(), json), List.copyOf(inner), (losses, x, ys) -> {
                List<NDArray> total = null;
                for (int i = 0; i < losses.size(); i++) {
                    total = weightedAdd(total, losses.get(i).distancesFrom(x, ys), weights[i]);
                }
                return total;
            });
        }
    }
}
