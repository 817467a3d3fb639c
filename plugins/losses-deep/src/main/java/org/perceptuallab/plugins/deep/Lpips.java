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
 * LPIPS (Zhang et al. 2018): inputs in [-1, 1] go through LPIPS's scaling layer (v0.1; v0.0, the first
 * release, feeds the trunk the raw input) and a VGG16, AlexNet or SqueezeNet 1.1 trunk; at each tapped layer
 * the features are unit-normalised over channels, their squared differences weighted per channel by the
 * learned non-negative linear weights (those published for the version and net), averaged over positions,
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
            "https://github.com/richzhang/PerceptualSimilarity/raw/master/lpips/weights/";
    /** linearWeights that weigh every channel 1: LPIPS before calibration, what lpips-calibration starts from. */
    static final String ONES = "ones";
    static final Param<String> NET = Param.choice("net", "alex", List.of("alex", "vgg", "squeeze"),
            "the trunk: AlexNet, VGG16 or SqueezeNet 1.1");
    /** The release that scales its input, the default; 0.0, the first release, did not. */
    private static final double SCALED_VERSION = 0.1;
    /**
     * Optional with no default, so that the canonical specs of existing configurations (and the cell keys and
     * hashes computed from them) stay as they were. A number, so that {@code -p version=0.0} and YAML's
     * {@code version: 0.0} need no quotes.
     */
    private static final Param<Double> VERSION = Param.optionalReal("version", 0, SCALED_VERSION, "LPIPS release,"
            + " 0.1 (when absent) or 0.0: 0.1 scales the input (x - shift) / scale before the trunk; 0.0 feeds it the"
            + " raw [-1, 1] input and has its own published linear weights");
    private static final Param<String> WEIGHTS = Param.string("weights", null, "trunk weights file (torchvision "
            + "names features.<i>), or 'pretrained' for torchvision's published file in the weights folder; absent: "
            + "random");
    static final Param<String> LINEAR_WEIGHTS = Param.string("linearWeights", WeightsLocator.PRETRAINED,
            "LPIPS linear-layer file (keys lin<i>.model.1.weight; lpips-calibration writes one), 'pretrained'"
                    + " for lpips/v<version>/<net>.pth in the weights folder, or '" + ONES + "': every channel weighted"
                    + " 1 (uncalibrated)");

    /**
     * Random trunks, uncalibrated: the published weights cannot ship (LpipsTest and LpipsSqueezeTest make files).
     * AlexNet and SqueezeNet under v0.1, and AlexNet under v0.0 (unscaled input).
     */
    @Override
    public List<ObjectNode> examples() {
        JsonNodeFactory json = JsonNodeFactory.instance;
        return List.of(json.objectNode().put(NET.name(), "alex").put(LINEAR_WEIGHTS.name(), ONES),
                json.objectNode().put(NET.name(), "squeeze").put(LINEAR_WEIGHTS.name(), ONES),
                json.objectNode().put(NET.name(), "alex").put(VERSION.name(), 0.0).put(LINEAR_WEIGHTS.name(), ONES));
    }

    @Override
    public String id() {
        return "lpips";
    }

    @Override
    public String summary() {
        return "LPIPS v0.1 or v0.0 (learned per-channel weights on normalised VGG16, AlexNet or SqueezeNet 1.1"
                + " features; a random trunk unless 'weights' is given)";
    }

    @Override
    public ParamSpec params() {
        return ParamSpec.of(NET, VERSION, WEIGHTS, LINEAR_WEIGHTS, Param.SEED);
    }

    @Override
    public Loss create(Params params, LossContext context) {
        String owner = "loss 'lpips'";
        String net = params.get(NET);
        double release = params.find(VERSION).orElse(SCALED_VERSION);
        if (release != 0 && release != SCALED_VERSION) {
            throw new PlabException(owner + ": parameter '" + VERSION.name() + "' is " + release + "; use 0.1 (the"
                    + " default) or 0.0");
        }
        boolean scaled = release == SCALED_VERSION;
        String version = scaled ? "0.1" : "0.0";
        Architecture architecture = architecture(net);
        List<Integer> stages = stages(architecture);
        int deepest = stages.get(stages.size() - 1);
        // both files are located before either is read, so that one message names every absent one
        WeightsLocator.Search search = new WeightsLocator.Search(owner, context.weightsDir());
        Optional<Path> trunkFile = params.find(WEIGHTS).map(w -> search.locate("parameter '" + WEIGHTS.name() + "'",
                w, architecture.publishedFile(), architecture.publishedUrl()));
        String linearName = "v" + version + "/" + net + ".pth";
        Path linearFile = ONES.equals(params.get(LINEAR_WEIGHTS)) ? null : search.locate("parameter '"
                + LINEAR_WEIGHTS.name() + "'", params.get(LINEAR_WEIGHTS), "lpips/" + linearName,
                LINEAR_URL + linearName);
        search.requireAllFound();
        NDManager constants = context.manager().newSubManager();
        try {
            Trunk trunk = trunkFile.isPresent()
                    ? Trunk.load(owner, architecture, trunkFile.get(), deepest, constants, false)
                    : Trunk.random(architecture, new Draws(context.seed(params)), deepest, constants, false,
                            Trunk.Init.KAIMING);
            List<NDArray> linear;
            if (linearFile == null) {
                linear = new ArrayList<>();
                for (long channels : channels(architecture, stages)) {
                    linear.add(constants.ones(new Shape(1, channels, 1, 1)));
                }
            } else {
                linear = linearWeights(owner, linearFile, architecture, stages, constants);
            }
            return new LpipsLoss(new LossSpec(id(), params.json()), constants, trunk, stages, linear, scaled);
        } catch (RuntimeException e) {
            constants.close();
            throw e;
        }
    }

    static Architecture architecture(String net) {
        return switch (net) {
            case "vgg" -> Architecture.VGG16;
            case "squeeze" -> Architecture.SQUEEZENET;
            default -> Architecture.ALEXNET;
        };
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
        return stages.stream().map(stage -> (long) architecture.channels(stage)).toList();
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
        private final boolean scaleInput;

        LpipsLoss(LossSpec spec, NDManager constants, Trunk trunk, List<Integer> stages, List<NDArray> linear,
                  boolean scaleInput) {
            this.spec = spec;
            this.constants = constants;
            this.trunk = trunk;
            this.stages = stages;
            this.linear = linear;
            this.shift = constants.create(SHIFT, new Shape(1, 3, 1, 1));
            this.scale = constants.create(SCALE, new Shape(1, 3, 1, 1));
            this.scaleInput = scaleInput;
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
            NDArray input = scaleInput ? images.sub(Ops.castLike(shift, images)).div(Ops.castLike(scale, images))
                    : images;
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
