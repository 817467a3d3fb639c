package org.perceptuallab.plugins.patch;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
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

    /** Seed and redraw, when the preset has them, go to its random-feature term. */
    private static ObjectNode randomTerm(ObjectNode params, Params preset) {
        params.put("redraw", preset.getBoolean("redraw"));
        if (preset.has("seed")) {
            params.put("seed", preset.getLong("seed"));
        }
        return params;
    }

    /** The preset {@code id} as l2 + patch-rbf + the random-feature term, weighted by the "weights" param. */
    private static Loss build(String id, Params params, LossContext context, ObjectNode rbf, String randomLoss,
                              ObjectNode random) {
        double[] w = params.getDoubles("weights");
        if (w.length != 3) {
            throw new PlabException("loss '" + id + "': parameter 'weights' needs 3 values (l2, patch-rbf, "
                    + randomLoss + "), got " + w.length);
        }
        ArrayNode terms = JSON.arrayNode();
        terms.add(term(w[0], "l2", JSON.objectNode()));
        terms.add(term(w[1], KernelLosses.PatchRbf.ID, rbf));
        terms.add(term(w[2], randomLoss, randomTerm(random, params)));
        ObjectNode sumParams = JSON.objectNode();
        sumParams.set("terms", terms);
        Loss sum = context.losses().create(new LossSpec("sum", sumParams), context);
        return new Preset(new LossSpec(id, params.json()), sum);
    }

    private static List<Param> common(double[] weights, String randomLoss) {
        List<Param> list = new ArrayList<>();
        list.add(Param.reals("weights", weights, 0, 1e6, "weights of l2, patch-rbf and " + randomLoss));
        return list;
    }

    private static ObjectNode mmdApprox(double sigma, Params preset) {
        return JSON.objectNode().put("patchSize", 3).put("sigma", sigma).put("features", preset.getInt("features"))
                .put("pool", preset.getInt("pool")).put("poolStride", preset.getInt("poolStride"))
                .put("normalizePatch", "channel_mean").put("pad", true);
    }

    private static ParamSpec mmdPresetParams() {
        List<Param> list = common(new double[] {0.001, 0.05, 1.0}, MmdApprox.ID);
        list.add(Param.integer("features", 512, 1, 1 << 16, "random features of the mmd-approx term"));
        // The reference's 32/16 suit its 64 to 128 px images; half of both keeps those proportions at 32 px.
        list.add(Param.integer("pool", 32, -1, PatchParams.MAX_SIDE, "average-pooling window of the mmd-approx term (-1: global)"));
        list.add(Param.integer("poolStride", 16, 1, PatchParams.MAX_SIDE, "stride of that pooling"));
        list.add(Param.bool("redraw", true, "redraw the mmd-approx filters at every call"));
        list.add(Param.seed());
        return ParamSpec.of(list.toArray(Param[]::new));
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
            return mmdPresetParams();
        }

        @Override
        public Loss create(Params params, LossContext context) {
            return build(id(), params, context, patchRbf(3, 0.1), MmdApprox.ID,
                    mmdApprox(0.06, params));
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
            return mmdPresetParams();
        }

        @Override
        public Loss create(Params params, LossContext context) {
            return build(id(), params, context, patchRbf(11, 0.02), MmdApprox.ID,
                    mmdApprox(0.03, params));
        }
    }

    /** 0.01 l2 + 0.2 patch-rbf(11, 0.015) + 1.0 patch-swd(11, stride 5, 128 projections, channel_mean). */
    @Extension
    public static final class SwdPlusPlus implements LossFamily {
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
            List<Param> list = common(new double[] {0.01, 0.2, 1.0}, PatchSwd.ID);
            list.add(Param.bool("redraw", false, "redraw the patch-swd projections at every call"));
            list.add(Param.seed());
            return ParamSpec.of(list.toArray(Param[]::new));
        }

        @Override
        public Loss create(Params params, LossContext context) {
            ObjectNode swd = JSON.objectNode().put("patchSize", 11).put("stride", 5).put("projections", 128)
                    .put("normalizePatch", "channel_mean");
            return build(id(), params, context, patchRbf(11, 0.015), PatchSwd.ID, swd);
        }
    }
}
