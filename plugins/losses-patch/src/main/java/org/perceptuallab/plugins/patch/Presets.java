package org.perceptuallab.plugins.patch;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.Examples;
import org.pf4j.Extension;

/**
 * The reference's mixtures {@code mmd++}, {@code mmd+++} and {@code swd++}: weighted sums of l2, patch-rbf and
 * a random-feature patch loss. Each is the catalogue's {@code sum} of installed losses built through the
 * context, so the l2 term is the installed one and injected draws reach the random-feature term.
 */
public final class Presets {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Param<double[]> MMD_WEIGHTS = weights(new double[] {0.001, 0.05, 1.0}, MmdApprox.ID);
    private static final Param<Integer> FEATURES = Param.integer("features", 512, 1, 1 << 16,
            "random features of the mmd-approx term");
    // The reference's 32/16 suit its 64 to 128 px images; half of both keeps those proportions at 32 px.
    private static final Param<Integer> POOL = Param.integer("pool", 32, -1, PatchParams.MAX_SIDE,
            "average-pooling window of the mmd-approx term (-1: global)");
    private static final Param<Integer> POOL_STRIDE = Param.integer("poolStride", 16, 1, PatchParams.MAX_SIDE,
            "stride of that pooling");
    private static final Param<Boolean> MMD_REDRAW = Param.bool("redraw", true,
            "redraw the mmd-approx filters at every call");
    private static final ParamSpec MMD_PRESET = ParamSpec.of(MMD_WEIGHTS, FEATURES, POOL, POOL_STRIDE, MMD_REDRAW,
            Param.SEED);

    private Presets() {
    }

    /** A preset: its own spec, computed by the inner weighted sum. */
    private record Preset(LossSpec spec, Loss sum) implements Loss {
        @Override
        public NDArray distance(NDArray x, NDArray y) {
            return sum.distance(x, y);
        }

        @Override
        public List<NDArray> distancesFrom(NDArray x, List<NDArray> ys) {
            return sum.distancesFrom(x, ys);
        }

        @Override
        public boolean symmetric() {
            return sum.symmetric();
        }

        @Override
        public Loss oneDraw() {
            Loss view = sum.oneDraw();
            return view == sum ? this : new Preset(spec, view);
        }

        @Override
        public void close() {
            sum.close();
        }
    }

    private static ObjectNode term(double weight, String loss, ObjectNode params) {
        ObjectNode t = JSON.objectNode().put("weight", weight).put("loss", loss);
        t.set("params", params);
        return t;
    }

    private static ObjectNode patchRbf(int patch, double sigma) {
        return JSON.objectNode().put("patchSize", patch).put("sigma", sigma).put("pad", true);
    }

    /** Seed and redraw go to the preset's random-feature term. */
    private static ObjectNode randomTerm(ObjectNode params, Params preset, Param<Boolean> redraw) {
        params.put(redraw.name(), preset.get(redraw));
        preset.find(Param.SEED).ifPresent(seed -> params.put(Param.SEED.name(), seed));
        return params;
    }

    /** The preset {@code id} as l2 + patch-rbf + the random-feature term, weighted by {@code weights}. */
    private static Loss build(String id, Params params, LossContext context, Param<double[]> weights,
                              Param<Boolean> redraw, ObjectNode rbf, String randomLoss, ObjectNode random) {
        double[] w = params.get(weights);
        if (w.length != 3) {
            throw new PlabException("loss '" + id + "': parameter 'weights' needs 3 values (l2, patch-rbf, "
                    + randomLoss + "), got " + w.length);
        }
        ArrayNode terms = JSON.arrayNode();
        terms.add(term(w[0], "l2", JSON.objectNode()));
        terms.add(term(w[1], KernelLosses.PatchRbf.ID, rbf));
        terms.add(term(w[2], randomLoss, randomTerm(random, params, redraw)));
        ObjectNode sumParams = JSON.objectNode();
        sumParams.set("terms", terms);
        Loss sum = context.losses().create(new LossSpec("sum", sumParams), context);
        return new Preset(new LossSpec(id, params.json()), sum);
    }

    private static Param<double[]> weights(double[] defaults, String randomLoss) {
        return Param.reals("weights", defaults, 0, 1e6, "weights of l2, patch-rbf and " + randomLoss);
    }

    private static ObjectNode mmdApprox(double sigma, Params preset) {
        return JSON.objectNode().put("patchSize", 3).put("sigma", sigma).put("features", preset.get(FEATURES))
                .put("pool", preset.get(POOL)).put("poolStride", preset.get(POOL_STRIDE))
                .put("normalizePatch", "channel_mean").put("pad", true);
    }

    private static Loss mmdPreset(String id, Params params, LossContext context, ObjectNode rbf, double sigma) {
        return build(id, params, context, MMD_WEIGHTS, MMD_REDRAW, rbf, MmdApprox.ID, mmdApprox(sigma, params));
    }

    /** 0.001 l2 + 0.05 patch-rbf(3, 0.1) + 1.0 mmd-approx(3, 0.06, channel_mean). */
    @Extension
    public static final class MmdPlusPlus implements LossFamily {
        @Override
        public String id() {
            return "mmd++";
        }

        @Override
        public String summary() {
            return "0.001 l2 + 0.05 patch-rbf(p 3, sigma 0.1) + 1.0 mmd-approx(p 3, sigma 0.06, channel_mean)";
        }

        /** Small configurations for checks and docs, fast on 32 x 32 images. */
        @Override
        public List<ObjectNode> examples() {
            return Examples.of("{\"features\": 16, \"redraw\": false}");
        }

        @Override
        public ParamSpec params() {
            return MMD_PRESET;
        }

        @Override
        public Loss create(Params params, LossContext context) {
            return mmdPreset(id(), params, context, patchRbf(3, 0.1), 0.06);
        }
    }

    /** 0.001 l2 + 0.05 patch-rbf(11, 0.02) + 1.0 mmd-approx(3, 0.03, channel_mean). */
    @Extension
    public static final class MmdPlusPlusPlus implements LossFamily {
        @Override
        public String id() {
            return "mmd+++";
        }

        @Override
        public String summary() {
            return "0.001 l2 + 0.05 patch-rbf(p 11, sigma 0.02) + 1.0 mmd-approx(p 3, sigma 0.03, channel_mean)";
        }

        /** Small configurations for checks and docs, fast on 32 x 32 images. */
        @Override
        public List<ObjectNode> examples() {
            return Examples.of("{\"features\": 16, \"redraw\": false}");
        }

        @Override
        public ParamSpec params() {
            return MMD_PRESET;
        }

        @Override
        public Loss create(Params params, LossContext context) {
            return mmdPreset(id(), params, context, patchRbf(11, 0.02), 0.03);
        }
    }

    /** 0.01 l2 + 0.2 patch-rbf(11, 0.015) + 1.0 patch-swd(11, stride 5, 128 projections, channel_mean). */
    @Extension
    public static final class SwdPlusPlus implements LossFamily {
        private static final Param<double[]> WEIGHTS = weights(new double[] {0.01, 0.2, 1.0}, PatchSwd.ID);
        private static final Param<Boolean> REDRAW = Param.bool("redraw", false,
                "redraw the patch-swd projections at every call");

        @Override
        public String id() {
            return "swd++";
        }

        @Override
        public String summary() {
            return "0.01 l2 + 0.2 patch-rbf(p 11, sigma 0.015) + 1.0 patch-swd(p 11, stride 5, 128 projections, "
                    + "channel_mean)";
        }

        /** Small configurations for checks and docs, fast on 32 x 32 images. */
        @Override
        public List<ObjectNode> examples() {
            return Examples.of("{\"redraw\": false}");
        }

        @Override
        public ParamSpec params() {
            return ParamSpec.of(WEIGHTS, REDRAW, Param.SEED);
        }

        @Override
        public Loss create(Params params, LossContext context) {
            ObjectNode swd = JSON.objectNode().put("patchSize", 11).put("stride", 5).put("projections", 128)
                    .put("normalizePatch", "channel_mean");
            return build(id(), params, context, WEIGHTS, REDRAW, patchRbf(11, 0.015), PatchSwd.ID, swd);
        }
    }
}
