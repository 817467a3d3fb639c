package org.perceptuallab.plugins.patch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.perceptuallab.api.FeatureMap;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.Examples;
import org.perceptuallab.kit.tensor.Draws;
import org.perceptuallab.kit.tensor.InjectedDraws;
import org.perceptuallab.kit.tensor.Ops;
import org.pf4j.Extension;

/**
 * {@code mmd-approx}: the patch MMD with a Gaussian kernel approximated by random Fourier features. Each
 * image becomes phi = cos(conv(reflect_pad(x), w) + b) with w = N(0, 1) / (sigma p^2) (then normalised per
 * {@code normalizePatch}) and b ~ U[0, 2 pi); phi is average-pooled and the distance is the mean squared
 * difference of the pooled maps. One convolution per image set, and y's features carry no graph.
 */
@Extension
public final class MmdApprox implements LossFamily {
    static final String ID = "mmd-approx";
    private static final Param<Integer> PATCH_SIZE = PatchParams.patchSize(3);
    private static final Param<Integer> STRIDE = PatchParams.stride(1);
    private static final Param<Double> SIGMA = PatchParams.sigma(0.06,
            "kernel bandwidth per patch element; filters are N(0,1) / (sigma p^2)");
    private static final Param<Integer> FEATURES = Param.integer("features", 1024, 1, 1 << 16,
            "number of random features");
    private static final Param<Integer> POOL = Param.integer("pool", 32, -1, PatchParams.MAX_SIDE,
            "average-pooling window over the feature map: -1 global average, 1 none");
    private static final Param<Integer> POOL_STRIDE = Param.integer("poolStride", 16, 1, PatchParams.MAX_SIDE,
            "step of the pooling window");
    private static final Param<Boolean> PAD = Param.bool("pad", true,
            "reflect-pad the image by p/2 before the convolution");
    private static final Param<String> NORMALIZE_PATCH = PatchParams.normalizePatch(
            PatchNormalization.ids(PatchNormalization.NONE, PatchNormalization.CHANNEL_MEAN, PatchNormalization.MEAN),
            "filter normalisation: channel_mean subtracts each filter's per-channel mean, mean its overall mean");
    private static final Param<Boolean> REDRAW = Param.bool("redraw", true,
            "draw new filters at every call (from the seed's stream)");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String summary() {
        return "patch MMD by random Fourier features: pooled cos(conv(x, w) + b), mean squared difference";
    }

    /** Small configurations for checks and docs, fast on 32 x 32 images. */
    @Override
    public List<ObjectNode> examples() {
        return Examples.of("{\"patchSize\": 3, \"features\": 96, \"pool\": 8, \"poolStride\": 4, \"normalizePatch\": \"channel_mean\", \"redraw\": false}", "{\"patchSize\": 5, \"features\": 16, \"pool\": -1, \"stride\": 2, \"normalizePatch\": \"mean\", \"redraw\": false}");
    }

    @Override
    public ParamSpec params() {
        return ParamSpec.of(PATCH_SIZE, STRIDE, SIGMA, FEATURES, POOL, POOL_STRIDE, PAD, NORMALIZE_PATCH, REDRAW,
                Param.SEED);
    }

    @Override
    public Loss create(Params params, LossContext context) {
        if (params.get(POOL) == 0) {
            throw new PlabException("loss '" + ID + "': parameter 'pool' must be -1 (global average), 1 (no "
                    + "pooling) or a window size in [2, " + PatchParams.MAX_SIDE + "], got 0");
        }
        return new RandomFeatures(new LossSpec(ID, params.json()), params, context);
    }

    /** The configured loss and its feature map. */
    static final class RandomFeatures implements Loss {
        /** Features per block of work: 64 x 128 x 128 floats are 4 MB. */
        private static final int BLOCK = 64;
        private final LossSpec spec;
        private final int patch;
        private final int stride;
        private final double filterScale;
        private final int features;
        private final int pool;
        private final int poolStride;
        private final boolean pad;
        private final PatchNormalization normalization;
        private final Map<String, NDArray> injected;
        private final SeededConstants filters;

        RandomFeatures(LossSpec spec, Params params, LossContext context) {
            this.spec = spec;
            this.patch = params.get(PATCH_SIZE);
            this.stride = params.get(STRIDE);
            this.filterScale = 1 / (params.get(SIGMA) * patch * patch);
            this.features = params.get(FEATURES);
            this.pool = params.get(POOL);
            this.poolStride = params.get(POOL_STRIDE);
            this.pad = params.get(PAD);
            this.normalization = PatchNormalization.of(params.get(NORMALIZE_PATCH));
            this.injected = InjectedDraws.of(context);
            boolean allInjected = injected.containsKey("w_raw") && injected.containsKey("b");
            this.filters = new SeededConstants(context.seed(params),
                    params.get(REDRAW) && !allInjected, context.manager(), this::makeFilters);
        }

        /** A view of {@code base} with other constants: its {@link #oneDraw()}. */
        private RandomFeatures(RandomFeatures base, SeededConstants filters) {
            this.spec = base.spec;
            this.patch = base.patch;
            this.stride = base.stride;
            this.filterScale = base.filterScale;
            this.features = base.features;
            this.pool = base.pool;
            this.poolStride = base.poolStride;
            this.pad = base.pad;
            this.normalization = base.normalization;
            this.injected = base.injected;
            this.filters = filters;
        }

        /** Under redraw, a view whose filters are one draw of the seed's stream, fixed for all its calls. */
        @Override
        public Loss oneDraw() {
            return filters.redraws() ? new RandomFeatures(this, filters.oneDraw()) : this;
        }

        /**
         * The filters in blocks of {@link #BLOCK} features, [w_0 (F0, C, p, p), b_0 (F0), w_1, b_1, ...], from the
         * draws, injected ones first.
         */
        private NDList makeFilters(Draws draws, NDManager m, long channels) {
            Shape wShape = new Shape(features, channels, patch, patch);
            NDArray wRaw = SeededConstants.injected(injected, "w_raw", wShape, m, ID);
            if (wRaw == null) {
                wRaw = draws.normal(m, wShape);
            }
            NDArray b = SeededConstants.injected(injected, "b", new Shape(features), m, ID);
            if (b == null) {
                b = draws.uniform(m, new Shape(features), 0, 2 * Math.PI);
            }
            NDArray w = normalization.ofFilters(wRaw.mul(filterScale));
            NDList blocks = new NDList();
            for (int from = 0; from < features; from += BLOCK) {
                String rows = from + ":" + Math.min(features, from + BLOCK);
                // copies, not views: a block outlives the arrays it is cut from
                blocks.add(w.get(rows).duplicate());
                blocks.add(b.get(rows).duplicate());
            }
            return blocks;
        }

        @Override
        public LossSpec spec() {
            return spec;
        }

        @Override
        public NDArray distance(NDArray x, NDArray y) {
            return distancesFrom(x, List.of(y)).get(0);
        }

        /**
         * Per image and block of features, in its own scope (the catalogue scopes the whole call): the
         * features of x once, those of each candidate, and the sums of their squared differences; one draw of
         * the filters for the whole call. The blocks keep every temporary small (about 4 MB for 128 x 128
         * images), which the allocator reuses instead of mapping fresh memory, and nothing of a candidate
         * enters the graph.
         */
        @Override
        public List<NDArray> distancesFrom(NDArray x, List<NDArray> ys) {
            checkSizes(x.getShape());
            NDList blocks = filters.forCall(x.getManager(), x.getShape().get(1));
            List<NDList> perImage = new ArrayList<>();
            ys.forEach(y -> perImage.add(new NDList()));
            for (long i = 0; i < x.getShape().get(0); i++) {
                String row = i + ":" + (i + 1);
                NDArray xi = x.get(row);
                List<NDArray> yis = ys.stream().map(y -> y.get(row)).toList();
                List<NDList> perBlock = new ArrayList<>();
                ys.forEach(y -> perBlock.add(new NDList()));
                for (int k = 0; k < blocks.size(); k += 2) {
                    List<NDArray> sums = squaredDifferenceSums(xi, yis, blocks.get(k), blocks.get(k + 1));
                    for (int c = 0; c < sums.size(); c++) {
                        perBlock.get(c).add(sums.get(c));
                    }
                }
                for (int c = 0; c < ys.size(); c++) {
                    perImage.get(c).add(NDArrays.stack(perBlock.get(c)).sum());
                }
            }
            double scale = 1.0 / (features * pooledPositions(x.getShape()));
            return perImage.stream().map(d -> Ops.times(NDArrays.stack(d), scale)).toList();
        }

        /**
         * For one image and one block of filters: the sum of squared differences between the pooled features
         * of {@code xi} (computed once) and those of each candidate, attached to xi's manager; the rest of the
         * block's temporaries are released.
         */
        private List<NDArray> squaredDifferenceSums(NDArray xi, List<NDArray> yis, NDArray w, NDArray bias) {
            NDManager home = xi.getManager();
            try (NDManager scope = home.newSubManager()) {
                scope.tempAttachAll(xi);
                yis.forEach(scope::tempAttachAll);
                NDArray fx = pooledFeatures(xi, w, bias);
                List<NDArray> sums = new ArrayList<>(yis.size());
                for (NDArray yi : yis) {
                    NDArray sum = fx.sub(pooledFeatures(yi, w, bias)).square().sum();
                    sum.attach(home);
                    sums.add(sum);
                }
                return sums;
            }
        }

        /**
         * Under fixed draws ({@code redraw: false}): the flattened pooled features scaled by 1 / sqrt(D), D
         * the features times the pooled positions, whose squared distance is the loss. Redrawn filters make
         * every call a different function, so then there is none.
         */
        @Override
        public Optional<FeatureMap> featureMap() {
            if (filters.redraws()) {
                return Optional.empty();
            }
            return Optional.of(x -> Ops.scoped(x, a -> {
                checkSizes(a.getShape());
                NDList blocks = filters.fixed(a.getShape().get(1));
                NDList perBlock = new NDList();
                for (int k = 0; k < blocks.size(); k += 2) {
                    perBlock.add(pooledFeatures(a, blocks.get(k), blocks.get(k + 1)));
                }
                NDArray flat = Ops.concat(perBlock, 1).reshape(a.getShape().get(0), -1);
                return Ops.times(flat, 1 / Math.sqrt((double) features * pooledPositions(a.getShape())));
            }));
        }

        @Override
        public boolean symmetric() {
            return !filters.redraws();
        }

        /** Pooled phi (N, F, h, w), or (N, F) under global pooling, of one block of filters. */
        private NDArray pooledFeatures(NDArray img, NDArray w, NDArray b) {
            NDArray padded = pad ? Ops.reflectPad(img, patch / 2) : img;
            NDArray phi = Ops.conv2d(padded, Ops.castLike(w, img), Ops.castLike(b, img), stride, 0, 1).cos();
            return switch (pool) {
                case -1 -> phi.reshape(phi.getShape().get(0), phi.getShape().get(1), -1).mean(new int[] {2});
                case 1 -> phi;
                default -> Ops.avgPool(phi, pool, poolStride);
            };
        }

        /** Side of the feature map before pooling. */
        private long mapSide(long side) {
            return (side + (pad ? 2L * (patch / 2) : 0) - patch) / stride + 1;
        }

        /** Positions per feature after pooling. */
        private long pooledPositions(Shape images) {
            long h = mapSide(images.get(2));
            long w = mapSide(images.get(3));
            return switch (pool) {
                case -1 -> 1;
                case 1 -> h * w;
                default -> ((h - pool) / poolStride + 1) * ((w - pool) / poolStride + 1);
            };
        }

        private void checkSizes(Shape images) {
            PatchParams.requireFits(ID, PATCH_SIZE, patch, images);
            long map = mapSide(Math.min(images.get(2), images.get(3)));
            if (pool > map) {
                throw new PlabException("loss '" + ID + "': parameter 'pool' (" + pool + ") exceeds the feature "
                        + "map, " + map + " positions a side for " + images.get(2) + "x" + images.get(3)
                        + " images; use a pool of at most " + map + ", or -1 for a global average");
            }
        }

        @Override
        public void close() {
            filters.close();
        }
    }
}
