package org.perceptuallab.plugins.patch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.kit.Examples;
import org.perceptuallab.kit.tensor.Draws;
import org.perceptuallab.kit.tensor.InjectedDraws;
import org.perceptuallab.kit.tensor.Ops;
import org.pf4j.Extension;

/**
 * {@code patch-swd}: sliced Wasserstein distance between the patch sets of x and y. The patches are projected
 * on random directions P = N(0, 1) / (unbiased std of each column); each projection's values are sorted
 * over the patches and the sorted x and y values are compared by mean absolute difference.
 */
@Extension
public final class PatchSwd implements LossFamily {
    static final String ID = "patch-swd";
    private static final Param<Integer> PATCH_SIZE = PatchParams.patchSize(7);
    private static final Param<Integer> STRIDE = PatchParams.stride(1);
    private static final Param<Integer> PROJECTIONS = Param.integer("projections", 256, 1, 1 << 16,
            "number of random projections");
    private static final Param<String> NORMALIZE_PATCH = PatchParams.normalizePatch(PatchNormalization.allIds(),
            "patch normalisation per image");
    private static final Param<Boolean> REDRAW = Param.bool("redraw", false,
            "draw new projections at every call (from the seed's stream)");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String summary() {
        return "sliced Wasserstein distance between the patch sets (random projections, sorted, mean |diff|)";
    }

    /** Small configurations for checks and docs, fast on 32 x 32 images. */
    @Override
    public List<ObjectNode> examples() {
        return Examples.of("{\"patchSize\": 3, \"projections\": 8, \"normalizePatch\": \"mean\", \"redraw\": false}");
    }

    @Override
    public ParamSpec params() {
        return ParamSpec.of(PATCH_SIZE, STRIDE, PROJECTIONS, NORMALIZE_PATCH, REDRAW, Param.SEED);
    }

    @Override
    public Loss create(Params params, LossContext context) {
        return new Sliced(new LossSpec(ID, params.json()), params, context);
    }

    /** The configured loss. */
    static final class Sliced implements Loss {
        private final LossSpec spec;
        private final int patch;
        private final int stride;
        private final int projections;
        private final PatchNormalization normalization;
        private final Map<String, NDArray> injected;
        private final SeededConstants directions;

        Sliced(LossSpec spec, Params params, LossContext context) {
            this.spec = spec;
            this.patch = params.get(PATCH_SIZE);
            this.stride = params.get(STRIDE);
            this.projections = params.get(PROJECTIONS);
            this.normalization = PatchNormalization.of(params.get(NORMALIZE_PATCH));
            this.injected = InjectedDraws.of(context);
            this.directions = new SeededConstants(context.seed(params),
                    params.get(REDRAW) && !injected.containsKey("proj_raw"), context.manager(),
                    this::makeDirections);
        }

        /** A view of {@code base} with other directions: its {@link #oneDraw()}. */
        private Sliced(Sliced base, SeededConstants directions) {
            this.spec = base.spec;
            this.patch = base.patch;
            this.stride = base.stride;
            this.projections = base.projections;
            this.normalization = base.normalization;
            this.injected = base.injected;
            this.directions = directions;
        }

        /** Under redraw, a view whose directions are one draw of the seed's stream, fixed for all its calls. */
        @Override
        public Loss oneDraw() {
            return directions.redraws() ? new Sliced(this, directions.oneDraw()) : this;
        }

        /** [P^T (K, C p^2)]: the draws divided column-wise by their unbiased std, transposed. */
        private NDList makeDirections(Draws draws, NDManager m, long channels) {
            Shape shape = new Shape(channels * patch * patch, projections);
            NDArray raw = SeededConstants.injected(injected, "proj_raw", shape, m, ID);
            if (raw == null) {
                raw = draws.normal(m, shape);
            }
            // a copy, not a view: the directions outlive the arrays they are computed from
            return new NDList(Ops.columnsOverStd(raw).transpose(1, 0).duplicate());
        }

        @Override
        public LossSpec spec() {
            return spec;
        }

        @Override
        public NDArray distance(NDArray x, NDArray y) {
            PatchParams.requireFits(ID, PATCH_SIZE, patch, x.getShape());
            NDArray p = Ops.castLike(directions.forCall(x.getManager(), x.getShape().get(1)).head(), x);
            return Ops.meanPerSample(sortedProjections(x, p).sub(sortedProjections(y, p)).abs());
        }

        /** The sorted projections of x and y are compared alike; redrawn directions make each call differ. */
        @Override
        public boolean symmetric() {
            return !directions.redraws();
        }

        /** (N, K, L): each projection of the image's patches, sorted over the patches. */
        private NDArray sortedProjections(NDArray images, NDArray directionsT) {
            NDArray patches = normalization.ofPatches(Ops.patches(images, patch, stride), images.getShape().get(1));
            return LastAxisSort.sorted(directionsT.matMul(patches));
        }

        @Override
        public void close() {
            directions.close();
        }
    }
}
