package org.perceptuallab.plugins.deep;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.perceptuallab.api.FeatureMap;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.tensor.Draws;
import org.perceptuallab.kit.tensor.Ops;
import org.perceptuallab.kit.weights.WeightFiles;
import org.perceptuallab.kit.weights.WeightsLocator;
import org.pf4j.Extension;

/**
 * LPIPS (Zhang et al. 2018, v0.1): inputs in [-1, 1] go through LPIPS's scaling layer and a VGG16 or
 * AlexNet trunk; at each ReLU layer the features are unit-normalised over channels, their squared
 * differences weighted per channel by the learned non-negative linear weights, averaged over positions,
 * and the layers summed.
 */
@Extension(points = LossFamily.class)
public final class Lpips implements LossFamily {
    /** LPIPS's epsilon in the channel normalisation f / (|f| + eps). */
    static final double NORM_EPSILON = 1e-10;
    /** Inside the square root, so that the gradient stays finite where a feature vector is zero. */
    static final double SQRT_EPSILON = 1e-20;
    static final float[] SHIFT = {-.030f, -.088f, -.188f};
    static final float[] SCALE = {.458f, .448f, .450f};
    private static final String LINEAR_URL =
            "https://github.com/richzhang/PerceptualSimilarity/raw/master/lpips/weights/v0.1/";
    /** linearWeights that weigh every channel 1: LPIPS before calibration, what lpips-calibration starts from. */
    static final String ONES = "ones";
    static final Param<String> NET = Param.choice("net", "alex", List.of("alex", "vgg"),
            "the trunk: AlexNet or VGG16");
    private static final Param<String> WEIGHTS = Param.string("weights", null, "trunk weights file (torchvision "
            + "names features.<i>), or 'pretrained' for torchvision's published file in the weights folder; absent: "
            + "random");
    static final Param<String> LINEAR_WEIGHTS = Param.string("linearWeights", WeightsLocator.PRETRAINED,
            "LPIPS v0.1 linear-layer file (keys lin<i>.model.1.weight; lpips-calibration writes one), 'pretrained'"
                    + " for lpips/v0.1/<net>.pth in the weights folder, or '" + ONES + "': every channel weighted 1"
                    + " (uncalibrated)");

    /** A random AlexNet trunk, uncalibrated: the published linear weights cannot ship (LpipsTest makes files). */
    @Override
    public List<ObjectNode> examples() {
        return List.of(JsonNodeFactory.instance.objectNode().put(NET.name(), "alex").put(LINEAR_WEIGHTS.name(), ONES));
    }

    @Override
    public String id() {
        return "lpips";
    }

    @Override
    public String summary() {
        return "LPIPS v0.1 (learned per-channel weights on normalised VGG16 or AlexNet features)";
    }

    @Override
    public ParamSpec params() {
        return ParamSpec.of(NET, WEIGHTS, LINEAR_WEIGHTS, Param.SEED);
    }

    @Override
    public Loss create(Params params, LossContext context) {
        String owner = "loss 'lpips'";
        String net = params.get(NET);
        Architecture architecture = architecture(net);
        List<Integer> stages = stages(architecture);
        int deepest = stages.get(stages.size() - 1);
        NDManager constants = context.manager().newSubManager();
        try {
            Optional<String> weights = params.find(WEIGHTS);
            Trunk trunk = weights.isPresent()
                    ? Trunk.load(owner, architecture, WeightsLocator.locate(owner, "parameter '" + WEIGHTS.name()
                            + "'", weights.get(), context.weightsDir(), architecture.publishedFile(),
                            architecture.publishedUrl()), deepest, constants, false)
                    : Trunk.random(architecture, new Draws(context.seed(params)), deepest, constants, false,
                            Trunk.Init.KAIMING);
            List<NDArray> linear;
            if (ONES.equals(params.get(LINEAR_WEIGHTS))) {
                linear = new ArrayList<>();
                for (long channels : channels(architecture, stages)) {
                    linear.add(constants.ones(new Shape(1, channels, 1, 1)));
                }
            } else {
                Path linearFile = WeightsLocator.locate(owner, "parameter '" + LINEAR_WEIGHTS.name() + "'",
                        params.get(LINEAR_WEIGHTS), context.weightsDir(), "lpips/v0.1/" + net + ".pth",
                        LINEAR_URL + net + ".pth");
                linear = linearWeights(owner, linearFile, architecture, stages, constants);
            }
            return new LpipsLoss(new LossSpec(id(), params.json()), constants, trunk, stages, linear);
        } catch (RuntimeException e) {
            constants.close();
            throw e;
        }
    }

    static Architecture architecture(String net) {
        return net.equals("vgg") ? Architecture.VGG16 : Architecture.ALEXNET;
    }

    /** The stage indices of the LPIPS layers. */
    static List<Integer> stages(Architecture architecture) {
        List<Integer> stages = new ArrayList<>();
        for (String layer : architecture.lpipsLayers()) {
            stages.add(architecture.index("loss 'lpips'", layer));
        }
        return stages;
    }

    /** The channels of each LPIPS layer. */
    static List<Long> channels(Architecture architecture, List<Integer> stages) {
        return stages.stream().map(stage -> (long) architecture.stages().get(stage - 1).out()).toList();
    }

    /** The key of the i-th LPIPS layer's weights in a linear-layer file. */
    static String linearKey(int i) {
        return "lin" + i + ".model.1.weight";
    }

    /** lin{i}.model.1.weight, shape (1, C, 1, 1), C the channels of the i-th LPIPS layer. */
    private static List<NDArray> linearWeights(String owner, Path file, Architecture architecture,
                                               List<Integer> stages, NDManager constants) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            keys.add(linearKey(i));
        }
        Map<String, NDArray> read;
        try {
            read = WeightFiles.readKeys(file, constants, keys);
        } catch (PlabException e) {
            throw new PlabException(owner + ": " + e.getMessage(), e);
        }
        List<NDArray> out = new ArrayList<>();
        List<Long> channelCounts = channels(architecture, stages);
        for (int i = 0; i < stages.size(); i++) {
            long channels = channelCounts.get(i);
            NDArray w = read.get(keys.get(i));
            if (!w.getShape().equals(new Shape(1, channels, 1, 1))) {
                throw new PlabException(owner + ": " + keys.get(i) + " of " + file + " has shape " + w.getShape()
                        + ", expected (1, " + channels + ", 1, 1); is it the LPIPS file for this net?");
            }
            out.add(w.toType(ai.djl.ndarray.types.DataType.FLOAT32, false));
        }
        return out;
    }

    /** The configured metric. */
    static final class LpipsLoss implements Loss {
        private final LossSpec spec;
        private final NDManager constants;
        private final Trunk trunk;
        private final List<Integer> stages;
        private final List<NDArray> linear;
        private final NDArray shift;
        private final NDArray scale;

        LpipsLoss(LossSpec spec, NDManager constants, Trunk trunk, List<Integer> stages, List<NDArray> linear) {
            this.spec = spec;
            this.constants = constants;
            this.trunk = trunk;
            this.stages = stages;
            this.linear = linear;
            this.shift = constants.create(SHIFT, new Shape(1, 3, 1, 1));
            this.scale = constants.create(SCALE, new Shape(1, 3, 1, 1));
        }

        @Override
        public LossSpec spec() {
            return spec;
        }

        @Override
        public boolean symmetric() {
            return true;
        }

        @Override
        public NDArray distance(NDArray x, NDArray y) {
            List<NDArray> fx = normalisedFeatures(x);
            List<NDArray> fy = normalisedFeatures(y);
            NDArray total = null;
            for (int i = 0; i < fx.size(); i++) {
                NDArray weighted = fx.get(i).sub(fy.get(i)).square().mul(Ops.castLike(linear.get(i), x));
                NDArray layer = Ops.meanPerSample(weighted.sum(new int[] {1}));
                total = total == null ? layer : total.add(layer);
            }
            return total;
        }

        /** Channel-unit-normalised features of each LPIPS layer. */
        List<NDArray> normalisedFeatures(NDArray images) {
            trunk.checkInput("loss '" + spec.id() + "'", images.getShape(), new TreeSet<>(stages));
            NDArray input = images.sub(Ops.castLike(shift, images)).div(Ops.castLike(scale, images));
            Map<Integer, NDArray> raw = trunk.features(input, new TreeSet<>(stages));
            List<NDArray> out = new ArrayList<>();
            for (int stage : stages) {
                NDArray f = raw.get(stage);
                NDArray norm = f.square().sum(new int[] {1}, true).add(SQRT_EPSILON).sqrt().add(NORM_EPSILON);
                out.add(f.div(norm));
            }
            return out;
        }

        /**
         * Normalised features times sqrt(linear weight / (H W)), flattened over layers: their squared
         * Euclidean distance is the LPIPS distance.
         */
        @Override
        public Optional<FeatureMap> featureMap() {
            return Optional.of(x -> Ops.scoped(x, xs -> {
                List<NDArray> f = normalisedFeatures(xs);
                NDList parts = new NDList();
                for (int i = 0; i < f.size(); i++) {
                    NDArray a = f.get(i);
                    Shape s = a.getShape();
                    NDArray w = Ops.times(Ops.castLike(linear.get(i), xs), 1.0 / (s.get(2) * s.get(3))).sqrt();
                    parts.add(a.mul(w).reshape(s.get(0), -1));
                }
                return Ops.concat(parts, 1);
            }));
        }

        @Override
        public void close() {
            constants.close();
        }
    }
}
