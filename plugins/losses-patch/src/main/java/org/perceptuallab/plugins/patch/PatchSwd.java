package org.perceptuallab.plugins.patch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
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
 * over the patches and the sorted x and y values are compared by mean absolute difference. Images of different
 * sizes have different patch counts: the larger set is subsampled to the smaller count, a uniformly random subset
 * of its patches (after patch normalisation), as the study does. The subset is drawn from the loss's seed, one
 * per pair of counts, so the loss stays a fixed, symmetric function; under redraw each call draws a new one.
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
        /** The seed of the fixed subsets, one per pair of patch counts. */
        private final long subsetSeed;
        /** Under redraw, the stream each call's subset is drawn from; null when subsets are fixed. */
        private final Draws subsetStream;

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
            Draws subsets = new Draws(context.seed(params));
            this.subsetSeed = subsets.nextSeed();
            this.subsetStream = params.get(REDRAW) ? subsets : null;
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
            this.subsetSeed = base.subsetStream == null ? base.subsetSeed : base.subsetStream.nextSeed();
            this.subsetStream = null;
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
            PatchParams.requireFits(ID, PATCH_SIZE, patch, y.getShape());
            NDArray p = Ops.castLike(directions.forCall(x.getManager(), x.getShape().get(1)).head(), x);
            NDArray px = patchesOf(x);
            NDArray py = patchesOf(y);
            long lx = px.getShape().get(2);
            long ly = py.getShape().get(2);
            if (lx != ly) {
                long[] subset = subset(Math.max(lx, ly), Math.min(lx, ly));
                if (lx > ly) {
                    px = subsample(px, subset);
                } else {
                    py = subsample(py, subset);
                }
            }
            return Ops.meanPerSample(LastAxisSort.sorted(p.matMul(px)).sub(LastAxisSort.sorted(p.matMul(py))).abs());
        }

        /** The sorted projections of x and y are compared alike; redrawn directions make each call differ. */
        @Override
        public boolean symmetric() {
            return !directions.redraws();
        }

        @Override
        public boolean acceptsDifferentSizes() {
            return true;
        }

        /** (N, C p^2, L): the image's normalised patches. */
        private NDArray patchesOf(NDArray images) {
            return normalization.ofPatches(Ops.patches(images, patch, stride), images.getShape().get(1));
        }

        /** The patches (N, D, L) at the given positions, the same for every image of the batch. */
        private static NDArray subsample(NDArray patches, long[] positions) {
            NDArray index = Ops.owned(patches.getManager().create(positions));
            return patches.get(new NDIndex(":, :, {}", index));
        }

        /**
         * {@code count} of the positions 0..total-1, a uniformly random subset (a partial Fisher-Yates shuffle):
         * the next draw of the stream under redraw, else fixed by the seed and the two counts.
         */
        private long[] subset(long total, long count) {
            long[] positions = new long[Math.toIntExact(total)];
            for (int i = 0; i < positions.length; i++) {
                positions[i] = i;
            }
            Draws draws = subsetStream != null ? subsetStream : new Draws(subsetSeed ^ (total << 32 | count));
            for (int i = 0; i < count; i++) {
                int j = i + draws.nextInt(positions.length - i);
                long swap = positions[i];
                positions[i] = positions[j];
                positions[j] = swap;
            }
            return Arrays.copyOf(positions, Math.toIntExact(count));
        }

        @Override
        public void close() {
            directions.close();
        }
    }
}
