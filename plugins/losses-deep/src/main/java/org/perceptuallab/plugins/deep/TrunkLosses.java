package org.perceptuallab.plugins.deep;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
import org.perceptuallab.kit.weights.WeightsLocator;
import org.pf4j.Extension;

/** The deep-feature loss families {@code vgg} and {@code alexnet}: one trunk, layers, one metric. */
public final class TrunkLosses {
    private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    private TrunkLosses() {
    }

    /** VGG16's convolutional trunk. */
    @Extension(points = LossFamily.class)
    public static final class Vgg extends TrunkFamily {
        public Vgg() {
            super("vgg", Architecture.VGG16, layerWeights("pixels", "conv1_2", "conv2_2", "conv3_3", "conv4_3",
                    "conv5_3"), "l1");
        }

        @Override
        public String summary() {
            return "VGG16 feature distance (layers conv1_1..MP5, pixels; metrics l1, l2, gram, cx, ...)";
        }

        /**
         * The defaults (random weights), and a few layers under the l2, Gram and cosine metrics. None under cx,
         * which is not 0 at x = y (the kit's zero check has no exemption): VggContextualTest covers it.
         */
        @Override
        public List<ObjectNode> examples() {
            return Examples.of("{\"seed\": 5}",
                    "{\"seed\": 5, \"metric\": \"l2\", \"layers\": {\"pixels\": 1, \"conv1_2\": 1, \"relu2_1\": 0.5}}",
                    "{\"seed\": 5, \"metric\": \"gram\", \"layers\": {\"relu1_2\": 1, \"relu2_2\": 1}}",
                    "{\"seed\": 5, \"metric\": \"cosine\", \"layers\": {\"pixels\": 1, \"conv1_2\": 1, \"relu2_1\": 0.5}}");
        }
    }

    /** torchvision AlexNet's convolutional trunk. */
    @Extension(points = LossFamily.class)
    public static final class Alexnet extends TrunkFamily {
        public Alexnet() {
            super("alexnet", Architecture.ALEXNET, layerWeights("conv1", "conv2", "conv3", "conv4", "conv5"), "l2");
        }

        @Override
        public String summary() {
            return "AlexNet feature distance (layers conv1..conv5, relu1..relu5, MP1, MP2, MP5, pixels)";
        }

        /**
         * The first layers, which fit 32 x 32 images (conv5 needs 63 pixels a side), and the study's random
         * AlexNet loss (conv1 and conv2, summed, PyTorch's default initialisation).
         */
        @Override
        public List<ObjectNode> examples() {
            return Examples.of("{\"seed\": 5, \"layers\": {\"conv1\": 1, \"relu2\": 0.5}}",
                    "{\"seed\": 5, \"layers\": {\"conv1\": 1, \"conv2\": 1}, \"layerReduction\": \"sum\","
                            + " \"init\": \"uniform\"}");
        }
    }

    private static Map<String, Double> layerWeights(String... names) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String n : names) {
            out.put(n, 1.0);
        }
        return out;
    }

    /** What the trunk families share: parameters, weight loading or drawing, layer checks. */
    abstract static class TrunkFamily implements LossFamily {
        private static final Param<String> INIT = Param.choice("init", "kaiming", List.of("kaiming", "uniform"),
                "random weights: kaiming = Kaiming normal (fan in, gain sqrt 2), zero bias; uniform = PyTorch's"
                        + " default, weights and biases in +-1/sqrt(fan in) (the study's random AlexNet)");
        /**
         * Optional with no default, so that the canonical specs of existing configurations (and the cell keys
         * and hashes computed from them) stay as they were.
         */
        private static final Param<String> LAYER_REDUCTION = Param.string("layerReduction", null,
                "how the weighted layer terms combine: mean (when absent: divided by the number of layers) or sum"
                        + " (the study's AlexNet loss)");
        /** Optional with no default (canonical specs unchanged); only with metric cx. */
        private static final Param<String> CX_DISTANCE = Param.choice("cxDistance", null,
                FeatureMetric.Contextual.DISTANCES, "metric cx only: the distance between positions, cosine"
                        + " (absent: the study's default), l1 or l2");
        private static final Param<Double> CX_BANDWIDTH = Param.optionalReal("cxBandwidth", 1e-3, 1e3,
                "metric cx only: the bandwidth h of w = exp((1 - d~) / h) (absent: the study's 0.5)");
        private static final Param<Boolean> NORM_FIRST_CONV = Param.bool("normFirstConv", false,
                "subtract from each first-layer filter its per-channel spatial mean");
        private static final Param<Boolean> REINIT = Param.bool("reinit", false,
                "redraw the random weights at every call (from the seed's sequence)");
        private static final Param<Boolean> IMAGENET_NORMALIZE = Param.bool("imagenetNormalize", false,
                "map inputs to [0, 1] and normalise by ImageNet's mean and std (for pretrained weights)");
        private final String id;
        private final Architecture architecture;
        private final Param<String> weights;
        private final Param<Map<String, Double>> layers;
        private final Param<String> metric;

        TrunkFamily(String id, Architecture architecture, Map<String, Double> defaultLayers, String defaultMetric) {
            this.id = id;
            this.architecture = architecture;
            this.weights = Param.string("weights", null, "a weights file (.pth zip or legacy, .safetensors or .npz "
                    + "with torchvision's features.<i> names), or 'pretrained' for torchvision's "
                    + architecture.publishedFile() + " in the weights folder; absent: random weights");
            this.layers = Param.weights("layers", defaultLayers, 0, 1e9, "layer names and their weights");
            this.metric = Param.choice("metric", defaultMetric, FeatureMetric.NAMES, "distance between feature maps");
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public ParamSpec params() {
            return ParamSpec.of(weights, layers, metric, INIT, NORM_FIRST_CONV, REINIT, IMAGENET_NORMALIZE,
                    LAYER_REDUCTION, CX_DISTANCE, CX_BANDWIDTH, Param.SEED);
        }

        @Override
        public Loss create(Params params, LossContext context) {
            String owner = "loss '" + id + "'";
            boolean reinit = params.get(REINIT);
            Optional<String> weightsFile = params.find(weights);
            if (reinit && weightsFile.isPresent()) {
                throw new PlabException(owner + ": parameter 'reinit' redraws random weights, so it cannot be "
                        + "used with 'weights'; drop one of them");
            }
            String reduction = params.find(LAYER_REDUCTION).orElse("mean");
            if (!reduction.equals("mean") && !reduction.equals("sum")) {
                throw new PlabException(owner + ": parameter 'layerReduction' is '" + reduction + "'; use 'mean'"
                        + " (divide by the number of layers) or 'sum'");
            }
            FeatureMetric.Contextual contextual = contextual(owner, params);
            List<DeepFeatureLoss.Layer> chosen = new ArrayList<>();
            Draws draws = new Draws(context.seed(params));
            NDManager constants = context.manager().newSubManager();
            try {
                int deepest = -1;
                for (String name : params.get(layers).keySet()) {
                    deepest = Math.max(deepest, architecture.index(owner, name));
                }
                Trunk trunk = null;
                if (deepest >= 0) {
                    boolean norm = params.get(NORM_FIRST_CONV);
                    trunk = weightsFile.isPresent()
                            ? Trunk.load(owner, architecture, WeightsLocator.locate(owner,
                                    "parameter '" + weights.name() + "'", weightsFile.get(), context.weightsDir(),
                                    architecture.publishedFile(),
                                    architecture.publishedUrl()), deepest, constants, norm)
                            : Trunk.random(architecture, draws, deepest, constants, norm,
                                    Trunk.Init.valueOf(params.get(INIT).toUpperCase(Locale.ROOT)));
                }
                for (Map.Entry<String, Double> e : params.get(layers).entrySet()) {
                    int stage = architecture.index(owner, e.getKey());
                    chosen.add(new DeepFeatureLoss.Layer(e.getKey(), stage, e.getValue(), FeatureMetric.of(
                            params.get(metric), architecture.channels(stage), draws, constants, contextual)));
                }
                DeepFeatureLoss.InputScale scale = params.get(IMAGENET_NORMALIZE)
                        ? new DeepFeatureLoss.InputScale("imagenet", imagenet(constants))
                        : new DeepFeatureLoss.InputScale("identity", UnaryOperator.identity());
                double divisor = reduction.equals("sum") ? 1 : chosen.size();
                return new DeepFeatureLoss(new LossSpec(id, params.json()), constants, trunk, chosen, divisor, scale,
                        reinit ? draws : null);
            } catch (RuntimeException e) {
                constants.close();
                throw e;
            }
        }

        /** The contextual loss's options; refused with a metric other than cx, which would ignore them. */
        private FeatureMetric.Contextual contextual(String owner, Params params) {
            Optional<String> distance = params.find(CX_DISTANCE);
            Optional<Double> bandwidth = params.find(CX_BANDWIDTH);
            if (!params.get(metric).equals("cx") && (distance.isPresent() || bandwidth.isPresent())) {
                throw new PlabException(owner + ": parameter '" + (distance.isPresent() ? CX_DISTANCE : CX_BANDWIDTH)
                        .name() + "' applies to metric 'cx' only, and the metric is '" + params.get(metric)
                        + "'; set \"metric\": \"cx\" or drop it");
            }
            return new FeatureMetric.Contextual(distance.orElse(FeatureMetric.Contextual.DEFAULT.distance()),
                    bandwidth.orElse(FeatureMetric.Contextual.DEFAULT.bandwidth()));
        }
    }

    /** [-1, 1] to [0, 1], then (v - mean) / std per channel. */
    static UnaryOperator<NDArray> imagenet(NDManager constants) {
        NDArray mean = constants.create(IMAGENET_MEAN, new Shape(1, 3, 1, 1));
        NDArray std = constants.create(IMAGENET_STD, new Shape(1, 3, 1, 1));
        return x -> Ops.times(x.add(1), 0.5).sub(Ops.castLike(mean, x)).div(Ops.castLike(std, x));
    }
}
