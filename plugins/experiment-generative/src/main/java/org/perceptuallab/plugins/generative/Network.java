package org.perceptuallab.plugins.generative;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.tensor.Draws;
import org.perceptuallab.kit.tensor.Ops;

/**
 * The networks of both experiments, as a list of stages, at 32, 64 or 128 pixels, grey or colour:
 * <ul>
 *   <li>generator: a latent code (N, L) as (N, L, 1, 1), a 4x4 transposed convolution to 4x4 pixels, then 4x4
 *       stride-2 transposed convolutions doubling the side, each with batch norm and ReLU, and a last one to the
 *       image's channels with tanh;</li>
 *   <li>encoder: the mirror, 4x4 stride-2 convolutions with batch norm, then a 4x4 valid convolution from 4x4
 *       to the code;</li>
 *   <li>mapping (the IMLE sampler's): linear layers e-dim to 128 to 128 to the code length, batch norm and
 *       ReLU after the first two.</li>
 * </ul>
 * {@link Layout} sets the channels and the encoder's activations, {@link Init} the initial weights. No stage
 * has a bias. Trainable tensors and batch-norm running statistics are named ({@code g3.weight},
 * {@code e1.bn.mean}, ...) so that checkpoints can hold them.
 */
final class Network {
    /** DJL's momentum is the weight of the old running value: 0.9 is torch's momentum 0.1. */
    private static final float BN_MOMENTUM = 0.9f;
    private static final float BN_EPSILON = 1e-5f;
    private static final float LEAKY_SLOPE = 0.2f;
    private static final int KERNEL = 4;
    /** The hidden width of the IMLE mapping (the reference's LatentMapper). */
    static final int MAPPING_WIDTH = 128;

    /** The channel layout and the encoder's activations (parameter {@code layout}). */
    enum Layout {
        /**
         * The reference's: the last hidden stage has {@code width} channels, each stage towards 4x4 twice as
         * many up to 8 width (64 px: 512, 256, 128, 64; 128 px: 512, 512, 256, 128, 64); ReLU and batch norm
         * after every encoder convolution but the last.
         */
        REFERENCE,
        /**
         * Radford et al.'s DCGAN: 8 width channels at 4x4, halving per stage (128 px: 512, 256, 128, 64, 32);
         * the encoder with LeakyReLU(0.2) and no batch norm after its first convolution.
         */
        DCGAN;

        static final List<String> NAMES = List.of("reference", "dcgan");

        static Layout named(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    /**
     * What the generator and encoder are built from.
     *
     * @param latent code length
     * @param size image side
     * @param channels image channels
     * @param width channels of the generator's last hidden stage (see {@link Layout})
     */
    record Design(int latent, int size, int channels, int width, Layout layout, Init init) {
    }

    private enum Kind { TRANSPOSED, CONVOLUTION, LINEAR }

    private enum Activation { RELU, LEAKY_RELU, TANH, NONE }

    /** One stage: its tensors' name prefix, what it computes, and what follows it. */
    private record Stage(String name, Kind kind, int stride, int padding, boolean batchNorm, Activation activation) {
    }

    /** The generator's transposed convolutions; null where no stage needs them. */
    private final TransposedConv transposed;
    private final List<Stage> stages;
    private final Map<String, NDArray> parameters;
    private final Map<String, NDArray> buffers;

    private Network(TransposedConv transposed, List<Stage> stages, Map<String, NDArray> parameters,
                    Map<String, NDArray> buffers) {
        this.transposed = transposed;
        this.stages = stages;
        this.parameters = parameters;
        this.buffers = buffers;
    }

    /** The channels of the stages from the 4x4 stage to the last hidden one. */
    static int[] widths(int size, int width, Layout layout) {
        int stages = switch (size) {
            case 32 -> 3;
            case 64 -> 4;
            case 128 -> 5;
            default -> throw new PlabException("the DCGAN networks are built for 32, 64 or 128 pixels, got size "
                    + size + "; set 'size' to one of them");
        };
        int[] out = new int[stages];
        for (int i = 0; i < stages; i++) {
            out[i] = layout == Layout.REFERENCE ? Math.min(width * 8, width << (stages - 1 - i))
                    : Math.max(1, width * 8 >> i);
        }
        return out;
    }

    /** The generator from codes to images. */
    static Network generator(NDManager owner, Draws draws, TransposedConv transposed, Design d) {
        int[] widths = widths(d.size(), d.width(), d.layout());
        Builder b = new Builder(owner, draws, d.init());
        List<Stage> stages = new ArrayList<>();
        int in = d.latent();
        for (int i = 0; i < widths.length; i++) {
            stages.add(b.stage("g" + i, Kind.TRANSPOSED, in, widths[i], i == 0 ? 1 : 2, i == 0 ? 0 : 1, true,
                    Activation.RELU));
            in = widths[i];
        }
        stages.add(b.stage("g" + widths.length, Kind.TRANSPOSED, in, d.channels(), 2, 1, false, Activation.TANH));
        return new Network(transposed, stages, b.parameters, b.buffers);
    }

    /** The encoder from images to codes. */
    static Network encoder(NDManager owner, Draws draws, Design d) {
        int[] widths = widths(d.size(), d.width(), d.layout());
        boolean reference = d.layout() == Layout.REFERENCE;
        Builder b = new Builder(owner, draws, d.init());
        List<Stage> stages = new ArrayList<>();
        int in = d.channels();
        for (int i = widths.length - 1; i >= 0; i--) {
            int stage = widths.length - 1 - i;
            stages.add(b.stage("e" + stage, Kind.CONVOLUTION, in, widths[i], 2, 1, reference || stage > 0,
                    reference ? Activation.RELU : Activation.LEAKY_RELU));
            in = widths[i];
        }
        stages.add(b.stage("e" + widths.length, Kind.CONVOLUTION, in, d.latent(), 1, 0, false, Activation.NONE));
        return new Network(null, stages, b.parameters, b.buffers);
    }

    /** The IMLE sampler's mapping from noise of {@code inputs} to codes of {@code latent}. */
    static Network mapping(NDManager owner, Draws draws, Init init, int inputs, int latent) {
        Builder b = new Builder(owner, draws, init);
        List<Stage> stages = List.of(
                b.stage("m0", Kind.LINEAR, inputs, MAPPING_WIDTH, 1, 0, true, Activation.RELU),
                b.stage("m1", Kind.LINEAR, MAPPING_WIDTH, MAPPING_WIDTH, 1, 0, true, Activation.RELU),
                b.stage("m2", Kind.LINEAR, MAPPING_WIDTH, latent, 1, 0, false, Activation.NONE));
        return new Network(null, stages, b.parameters, b.buffers);
    }

    /**
     * Runs the network: codes (N, L) to images (N, C, S, S) in (-1, 1) for the generator, images to codes for
     * the encoder, noise (N, E) to codes for the mapping. In training, batch norm uses the batch's statistics
     * and updates the running ones in place; otherwise it uses the running ones. The result joins the input's
     * manager.
     */
    NDArray forward(NDArray input, boolean training) {
        NDArray x = stages.get(0).kind() == Kind.TRANSPOSED
                ? input.reshape(input.getShape().get(0), input.getShape().get(1), 1, 1) : input;
        for (Stage s : stages) {
            NDArray w = parameters.get(s.name() + ".weight");
            x = switch (s.kind()) {
                case TRANSPOSED -> transposed.apply(x, w, s.stride(), s.padding());
                case CONVOLUTION -> Ops.conv2d(x, w, null, s.stride(), s.padding(), 1);
                case LINEAR -> Linear.linear(x, w).singletonOrThrow();
            };
            if (s.batchNorm()) {
                x = BatchNorm.batchNorm(x, buffers.get(s.name() + ".bn.mean"), buffers.get(s.name() + ".bn.var"),
                        parameters.get(s.name() + ".bn.gamma"), parameters.get(s.name() + ".bn.beta"), 1,
                        BN_MOMENTUM, BN_EPSILON, training).singletonOrThrow();
            }
            x = switch (s.activation()) {
                case RELU -> ai.djl.nn.Activation.relu(x);
                case LEAKY_RELU -> ai.djl.nn.Activation.leakyRelu(x, LEAKY_SLOPE);
                case TANH -> x.tanh();
                case NONE -> x;
            };
        }
        return stages.get(stages.size() - 1).kind() == Kind.CONVOLUTION ? x.reshape(x.getShape().get(0), -1) : x;
    }

    /** Trainable tensors (weights, batch-norm scales and shifts), the reference's parameter count. */
    long parameterCount() {
        return parameters.values().stream().mapToLong(p -> p.getShape().size()).sum();
    }

    /** The trainable tensors by name, in layer order (live: Adam updates them in place). */
    Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** The batch-norm running means and variances by name. */
    Map<String, NDArray> buffers() {
        return Collections.unmodifiableMap(buffers);
    }

    /** Every tensor a checkpoint must hold: parameters and buffers. */
    Map<String, NDArray> state() {
        Map<String, NDArray> out = new LinkedHashMap<>(parameters);
        out.putAll(buffers);
        return out;
    }

    /**
     * Replaces tensors with saved ones of the same names (a checkpoint's), each copied into {@code owner};
     * names this network does not have are ignored, a tensor it has that is missing is an error.
     */
    void restore(Map<String, NDArray> saved, NDManager owner) {
        restoreInto(parameters, saved, owner, true);
        restoreInto(buffers, saved, owner, false);
    }

    private static void restoreInto(Map<String, NDArray> tensors, Map<String, NDArray> saved, NDManager owner,
                                    boolean trainable) {
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray value = saved.get(e.getKey());
            if (value == null || !value.getShape().equals(e.getValue().getShape())) {
                throw new PlabException("the checkpoint has no tensor " + e.getKey() + " of shape "
                        + e.getValue().getShape() + "; it was written by another configuration: delete the cell's"
                        + " state folder to start afresh");
            }
            NDArray copy = value.duplicate();
            copy.attach(owner);
            copy.setRequiresGradient(trainable);
            e.getValue().close();
            e.setValue(copy);
        }
    }

    /** Whether the trainable tensors collect gradients (off while the network is only evaluated). */
    void setTrainable(boolean trainable) {
        parameters.values().forEach(p -> p.setRequiresGradient(trainable));
    }

    /** Draws the tensors of each stage in order, so that one seed gives one network. */
    private static final class Builder {
        private final NDManager owner;
        private final Draws draws;
        private final Init init;
        private final Map<String, NDArray> parameters = new LinkedHashMap<>();
        private final Map<String, NDArray> buffers = new LinkedHashMap<>();

        Builder(NDManager owner, Draws draws, Init init) {
            this.owner = owner;
            this.draws = draws;
            this.init = init;
        }

        Stage stage(String name, Kind kind, int in, int out, int stride, int padding, boolean batchNorm,
                    Activation activation) {
            // torch's layouts: (in, out, k, k) for a transposed convolution, (out, in, k, k) for a convolution,
            // (out, in) for a linear layer
            Shape shape = switch (kind) {
                case TRANSPOSED -> new Shape(in, out, KERNEL, KERNEL);
                case CONVOLUTION -> new Shape(out, in, KERNEL, KERNEL);
                case LINEAR -> new Shape(out, in);
            };
            long taps = kind == Kind.LINEAR ? 1 : KERNEL * KERNEL;
            parameters.put(name + ".weight", trainable(init.weight(draws, owner, shape, (in + out) * taps)));
            if (batchNorm) {
                Shape channels = new Shape(out);
                parameters.put(name + ".bn.gamma", trainable(init.batchNormScale(draws, owner, out)));
                parameters.put(name + ".bn.beta", trainable(owner.zeros(channels)));
                buffers.put(name + ".bn.mean", owner.zeros(channels));
                buffers.put(name + ".bn.var", owner.ones(channels));
            }
            return new Stage(name, kind, stride, padding, batchNorm, activation);
        }

        private static NDArray trainable(NDArray a) {
            a.setRequiresGradient(true);
            return a;
        }
    }
}
