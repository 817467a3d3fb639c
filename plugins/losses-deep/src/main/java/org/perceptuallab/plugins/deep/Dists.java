package org.perceptuallab.plugins.deep;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.index.NDIndex;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
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
import org.perceptuallab.kit.tensor.Ops;
import org.perceptuallab.kit.weights.WeightFiles;
import org.perceptuallab.kit.weights.WeightsLocator;
import org.pf4j.Extension;

/**
 * DISTS (Ding et al. 2020): VGG16 with L2 pooling; at the image and at relu1_2 .. relu5_3 (1475 channels),
 * per channel a texture term t from the spatial means and a structure term s from the spatial variances and
 * covariance; D = 1 - sum(alpha t + beta s) / sum(alpha + beta), alpha and beta the published per-channel
 * weights. As in the authors' code, the image stage is the image in [0, 1] itself, not ImageNet-normalised.
 */
@Extension(points = LossFamily.class)
public final class Dists implements LossFamily {
    /** The constants of t and s, DISTS's c1 = c2. */
    static final double C1 = 1e-6;
    static final double C2 = 1e-6;
    /** Channels of each compared stage: the image, relu1_2, relu2_2, relu3_3, relu4_3, relu5_3. */
    static final int[] CHANNELS = {3, 64, 128, 256, 512, 512};
    static final int TOTAL_CHANNELS = 1475;
    static final String RANDOM = "random";
    static final String UNIFORM = "uniform";
    static final String PUBLISHED_ALPHA_BETA = "dists/weights.pt";
    private static final String ALPHA_BETA_URL =
            "https://github.com/dingkeyan93/DISTS/raw/master/DISTS_pytorch/weights.pt";
    private static final Param<String> WEIGHTS = Param.string("weights", WeightsLocator.PRETRAINED,
            "VGG16 trunk weights: 'pretrained' for torchvision's " + Architecture.VGG16.publishedFile()
                    + " in the weights folder, a file (torchvision names features.<i>), or '" + RANDOM
                    + "': Kaiming-normal random weights from the seed (then alphaBeta must not be 'pretrained')");
    static final Param<String> ALPHA_BETA = Param.string("alphaBeta", WeightsLocator.PRETRAINED,
            "the per-channel weights: 'pretrained' for DISTS's published weights.pt (tensors alpha and beta,"
                    + " (1, 1475, 1, 1)) saved as " + PUBLISHED_ALPHA_BETA + " in the weights folder, a file with"
                    + " those tensors, or '" + UNIFORM + "': every alpha and beta equal");

    /** Random trunk, equal weights: runs without any downloaded file (DistsTest checks the published setup). */
    @Override
    public List<ObjectNode> examples() {
        return Examples.of("{\"weights\": \"random\", \"alphaBeta\": \"uniform\", \"seed\": 5}");
    }

    @Override
    public String id() {
        return "dists";
    }

    @Override
    public String summary() {
        return "DISTS (structure and texture similarity of L2-pooled VGG16 features, published alpha/beta)";
    }

    @Override
    public ParamSpec params() {
        return ParamSpec.of(WEIGHTS, ALPHA_BETA, Param.SEED);
    }

    @Override
    public Loss create(Params params, LossContext context) {
        String owner = "loss 'dists'";
        String weights = params.get(WEIGHTS);
        String alphaBeta = params.get(ALPHA_BETA);
        if (RANDOM.equals(weights) && WeightsLocator.PRETRAINED.equals(alphaBeta)) {
            throw new PlabException(owner + ": weights are 'random' but alphaBeta is 'pretrained', and the"
                    + " published alpha and beta were fitted to the pretrained VGG16; set alphaBeta to '" + UNIFORM
                    + "' (every channel weighted equally) or to a file of your own");
        }
        // Both files are looked for before either fails, so that one message names every missing file.
        WeightsLocator.Search search = new WeightsLocator.Search(owner, context.weightsDir());
        Path trunkFile = RANDOM.equals(weights) ? null : search.locate("parameter '" + WEIGHTS.name() + "'",
                weights, Architecture.VGG16.publishedFile(), Architecture.VGG16.publishedUrl());
        Path alphaBetaFile = UNIFORM.equals(alphaBeta) ? null : search.locate("parameter '" + ALPHA_BETA.name()
                + "'", alphaBeta, PUBLISHED_ALPHA_BETA, ALPHA_BETA_URL);
        search.requireAllFound();
        Architecture architecture = Architecture.VGG16_L2POOL;
        List<Integer> stages = Lpips.stages(architecture);
        int deepest = stages.get(stages.size() - 1);
        NDManager constants = context.manager().newSubManager();
        try {
            // the small alpha/beta file first: a wrong one fails before the trunk's 60 MB are read
            NDArray[] ab = alphaBetaFile != null
                    ? alphaBeta(owner, alphaBetaFile, constants)
                    : new NDArray[] {constants.ones(new Shape(TOTAL_CHANNELS), DataType.FLOAT64),
                            constants.ones(new Shape(TOTAL_CHANNELS), DataType.FLOAT64)};
            Trunk trunk = trunkFile != null
                    ? Trunk.load(owner, architecture, trunkFile, deepest, constants, false)
                    : Trunk.random(architecture, new Draws(context.seed(params)), deepest, constants, false,
                            Trunk.Init.KAIMING);
            return new DistsLoss(new LossSpec(id(), params.json()), constants, trunk, stages, ab[0], ab[1]);
        } catch (RuntimeException e) {
            constants.close();
            throw e;
        }
    }

    /** alpha and beta of the file, (1, 1475, 1, 1) each, flattened to (1475), float64; checked non-negative. */
    private static NDArray[] alphaBeta(String owner, Path file, NDManager constants) {
        Map<String, NDArray> read;
        try {
            read = WeightFiles.readKeys(file, constants, List.of("alpha", "beta"));
        } catch (PlabException e) {
            throw new PlabException(owner + ": " + e.getMessage(), e);
        }
        NDArray[] out = new NDArray[2];
        double total = 0;
        for (int k = 0; k < 2; k++) {
            String key = k == 0 ? "alpha" : "beta";
            NDArray a = read.get(key);
            if (a.getShape().size() != TOTAL_CHANNELS || a.getShape().get(1) != TOTAL_CHANNELS) {
                throw new PlabException(owner + ": tensor '" + key + "' of " + file + " has shape " + a.getShape()
                        + ", DISTS needs (1, " + TOTAL_CHANNELS + ", 1, 1); is it DISTS's weights.pt?");
            }
            double[] v = a.toType(DataType.FLOAT64, false).toDoubleArray();
            for (double w : v) {
                if (!(w >= 0) || Double.isInfinite(w)) {
                    throw new PlabException(owner + ": tensor '" + key + "' of " + file + " holds " + w
                            + "; DISTS's weights must be finite and non-negative");
                }
                total += w;
            }
            out[k] = a.toType(DataType.FLOAT64, false).reshape(TOTAL_CHANNELS);
        }
        if (total == 0) {
            throw new PlabException(owner + ": alpha and beta of " + file + " are all zero; DISTS divides by"
                    + " their sum");
        }
        return out;
    }

    /** The configured metric. */
    static final class DistsLoss implements Loss {
        private final LossSpec spec;
        private final NDManager constants;
        private final Trunk trunk;
        private final List<Integer> stages;
        private final Set<Integer> wanted;
        /** Per compared stage, alpha and beta divided by sum(alpha + beta), (1, C), float64. */
        private final List<NDArray> alphas = new ArrayList<>();
        private final List<NDArray> betas = new ArrayList<>();
        /** [-1, 1] images to the trunk's ImageNet-normalised input. */
        private final UnaryOperator<NDArray> imagenet;

        DistsLoss(LossSpec spec, NDManager constants, Trunk trunk, List<Integer> stages, NDArray alpha,
                  NDArray beta) {
            this.spec = spec;
            this.constants = constants;
            this.trunk = trunk;
            this.stages = stages;
            this.wanted = new TreeSet<>(stages);
            NDArray total = alpha.sum().add(beta.sum());
            long from = 0;
            for (int channels : CHANNELS) {
                NDIndex part = new NDIndex().addSliceDim(from, from + channels);
                alphas.add(alpha.get(part).div(total).reshape(1, channels));
                betas.add(beta.get(part).div(total).reshape(1, channels));
                from += channels;
            }
            this.imagenet = TrunkLosses.imagenet(constants);
        }

        @Override
        public LossSpec spec() {
            return spec;
        }

        @Override
        public boolean symmetric() {
            return true;
        }

        /**
         * With alpha and beta summing to 1, D = sum of alpha (1 - t) + beta (1 - s), each written without a
         * difference of nearly equal numbers (docs/PLUGINS.md, numerics): 1 - t = (mu_x - mu_y)^2 /
         * (mu_x^2 + mu_y^2 + c1) and 1 - s = mean((x - mu_x - (y - mu_y))^2) / (sigma_x^2 + sigma_y^2 + c2),
         * the numerator being sigma_x^2 + sigma_y^2 - 2 sigma_xy. Equal to 1 - sum(alpha t + beta s) in real
         * numbers, non-negative, and exact in float32 where x and y are close.
         */
        @Override
        public NDArray distance(NDArray x, NDArray y) {
            return compare(features(x), features(y));
        }

        /** x's trunk pass once for all the candidates (a 2AFC reference, a row of a distance matrix). */
        @Override
        public List<NDArray> distancesFrom(NDArray x, List<NDArray> ys) {
            List<NDArray> fx = features(x);
            return ys.stream().map(y -> compare(fx, features(y))).toList();
        }

        /** D from the compared stages of x and of y. */
        private NDArray compare(List<NDArray> fx, List<NDArray> fy) {
            NDArray like = fx.get(0); // x's [0, 1] image: the weights take its type and manager
            NDArray total = null;
            for (int k = 0; k < fx.size(); k++) {
                NDArray a = fx.get(k);
                NDArray b = fy.get(k);
                NDArray ma = spatialMean(a);
                NDArray mb = spatialMean(b);
                NDArray textureLoss = ma.sub(mb).square().div(ma.square().add(mb.square()).add(C1));
                NDArray ca = a.sub(asMap(ma));
                NDArray cb = b.sub(asMap(mb));
                NDArray variances = spatialMean(ca.square()).add(spatialMean(cb.square()));
                NDArray structureLoss = spatialMean(ca.sub(cb).square()).div(variances.add(C2));
                NDArray stage = textureLoss.mul(Ops.castLike(alphas.get(k), like))
                        .add(structureLoss.mul(Ops.castLike(betas.get(k), like))).sum(new int[] {1});
                total = total == null ? stage : total.add(stage);
            }
            return total;
        }

        /** (N, C, H, W) to the per-channel mean over positions, (N, C). */
        private static NDArray spatialMean(NDArray a) {
            return a.mean(new int[] {3}).mean(new int[] {2}); // the engine averages over one axis at a time
        }

        /** (N, C) to (N, C, 1, 1), to broadcast over positions. */
        private static NDArray asMap(NDArray perChannel) {
            return perChannel.expandDims(2).expandDims(3);
        }

        /** The image in [0, 1], then relu1_2 .. relu5_3 of the ImageNet-normalised image. */
        List<NDArray> features(NDArray images) {
            trunk.checkInput("loss '" + spec.id() + "'", images.getShape(), wanted);
            NDArray unit = Ops.times(images.add(1), 0.5);
            Map<Integer, NDArray> raw = trunk.features(imagenet.apply(images), wanted);
            List<NDArray> out = new ArrayList<>();
            out.add(unit);
            stages.forEach(stage -> out.add(raw.get(stage)));
            return out;
        }

        @Override
        public Map<String, NDArray> activations(NDArray x) {
            List<NDArray> f = features(x);
            Map<String, NDArray> byName = new LinkedHashMap<>();
            byName.put(Architecture.PIXELS, f.get(0));
            List<String> names = Architecture.VGG16_L2POOL.lpipsLayers();
            for (int i = 0; i < names.size(); i++) {
                byName.put(names.get(i), f.get(i + 1));
            }
            return byName;
        }

        @Override
        public void close() {
            constants.close();
        }
    }
}
