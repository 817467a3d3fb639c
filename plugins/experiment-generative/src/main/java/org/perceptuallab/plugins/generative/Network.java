package org.perceptuallab.plugins.generative;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.BatchNorm;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.tensor.Draws;
import org.perceptuallab.kit.tensor.Ops;

/**
 * The DCGAN networks (Radford et al. 2016) at 32, 64 or 128 pixels, grey or colour, with the reference
 * initialisation: convolution weights N(0, 0.02), batch-norm scales N(1, 0.02), shifts 0, no biases.
 * <ul>
 *   <li>generator: a latent code (N, L) as (N, L, 1, 1), a 4x4 transposed convolution to {@code 8 width}
 *       channels at 4x4, then 4x4 stride-2 transposed convolutions halving the channels and doubling the
 *       side, each with batch norm and ReLU, and a last one to the image's channels with tanh. At 64 pixels
 *       with width 64: 512, 256, 128, 64 channels at 4, 8, 16, 32 pixels (the reference); 128 pixels adds 32
 *       channels at 64, 32 pixels drops the 64-channel stage;</li>
 *   <li>encoder: the mirror, 4x4 stride-2 convolutions with LeakyReLU(0.2) (batch norm on all but the
 *       first), then a 4x4 valid convolution from 4x4 to the code.</li>
 * </ul>
 * Trainable tensors and batch-norm running statistics are named ({@code g3.weight}, {@code e1.bn.mean}, ...)
 * so that checkpoints can hold them.
 */
final class Network {
    /** DJL's momentum is the weight of the old running value: 0.9 is torch's momentum 0.1. */
    private static final float BN_MOMENTUM = 0.9f;
    private static final float BN_EPSILON = 1e-5f;
    private static final float LEAKY_SLOPE = 0.2f;
    private static final double INIT_STD = 0.02;
    private static final int KERNEL = 4;

    /** One convolution stage: its weight's name, stride, padding and what follows it. */
    private record Stage(String name, int stride, int padding, boolean batchNorm) {
    }

    private final boolean generator;
    /** The generator's transposed convolutions; null for the encoder. */
    private final TransposedConv transposed;
    private final List<Stage> stages;
    private final Map<String, NDArray> parameters;
    private final Map<String, NDArray> buffers;

    private Network(TransposedConv transposed, List<Stage> stages, Map<String, NDArray> parameters,
                    Map<String, NDArray> buffers) {
        this.generator = transposed != null;
        this.transposed = transposed;
        this.stages = stages;
        this.parameters = parameters;
        this.buffers = buffers;
    }

    /** The channels of the stages between the 4x4 stage and the image: {@code 8 width}, halving, per doubling. */
    static int[] widths(int size, int width) {
        int stages = switch (size) {
            case 32 -> 3;
            case 64 -> 4;
            case 128 -> 5;
            default -> throw new PlabException("the DCGAN networks are built for 32, 64 or 128 pixels, got size "
                    + size + "; set 'size' to one of them");
        };
        int[] out = new int[stages];
        for (int i = 0; i < stages; i++) {
            out[i] = Math.max(1, width * 8 >> i);
        }
        return out;
    }

    /** The generator from {@code latent} to size x size images of {@code channels} channels. */
    static Network generator(NDManager owner, Draws draws, TransposedConv transposed, int latent, int size,
                             int channels, int width) {
        int[] widths = widths(size, width);
        Builder b = new Builder(owner, draws);
        List<Stage> stages = new ArrayList<>();
        int in = latent;
        for (int i = 0; i < widths.length; i++) {
            stages.add(b.stage("g" + i, in, widths[i], true, i == 0 ? 1 : 2, i == 0 ? 0 : 1, true));
            in = widths[i];
        }
        stages.add(b.stage("g" + widths.length, in, channels, true, 2, 1, false));
        return new Network(transposed, stages, b.parameters, b.buffers);
    }

    /** The encoder from size x size images of {@code channels} channels to codes of {@code latent}. */
    static Network encoder(NDManager owner, Draws draws, int latent, int size, int channels, int width) {
        int[] widths = widths(size, width);
        Builder b = new Builder(owner, draws);
        List<Stage> stages = new ArrayList<>();
        int in = channels;
        for (int i = widths.length - 1; i >= 0; i--) {
            int stage = widths.length - 1 - i;
            stages.add(b.stage("e" + stage, in, widths[i], false, 2, 1, stage > 0));
            in = widths[i];
        }
        stages.add(b.stage("e" + widths.length, in, latent, false, 1, 0, false));
        return new Network(null, stages, b.parameters, b.buffers);
    }

    /**
     * Runs the network: codes (N, L) to images (N, C, S, S) in (-1, 1) for the generator, images to codes for
     * the encoder. In training, batch norm uses the batch's statistics and updates the running ones in
     * place; otherwise it uses the running ones. The result joins the input's manager.
     */
    NDArray forward(NDArray input, boolean training) {
        NDArray x = generator ? input.reshape(input.getShape().get(0), input.getShape().get(1), 1, 1) : input;
        for (int i = 0; i < stages.size(); i++) {
            Stage s = stages.get(i);
            NDArray w = parameters.get(s.name() + ".weight");
            x = generator ? transposed.apply(x, w, s.stride(), s.padding())
                    : Ops.conv2d(x, w, null, s.stride(), s.padding(), 1);
            if (s.batchNorm()) {
                x = BatchNorm.batchNorm(x, buffers.get(s.name() + ".bn.mean"), buffers.get(s.name() + ".bn.var"),
                        parameters.get(s.name() + ".bn.gamma"), parameters.get(s.name() + ".bn.beta"), 1,
                        BN_MOMENTUM, BN_EPSILON, training).singletonOrThrow();
            }
            boolean last = i == stages.size() - 1;
            if (generator) {
                x = last ? x.tanh() : Activation.relu(x);
            } else if (!last) {
                x = Activation.leakyRelu(x, LEAKY_SLOPE);
            }
        }
        return generator ? x : x.reshape(x.getShape().get(0), -1);
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
        private final Map<String, NDArray> parameters = new LinkedHashMap<>();
        private final Map<String, NDArray> buffers = new LinkedHashMap<>();

        Builder(NDManager owner, Draws draws) {
            this.owner = owner;
            this.draws = draws;
        }

        Stage stage(String name, int in, int out, boolean transposed, int stride, int padding, boolean batchNorm) {
            // torch's layouts: (in, out, k, k) for a transposed convolution, (out, in, k, k) for a convolution
            Shape shape = transposed ? new Shape(in, out, KERNEL, KERNEL) : new Shape(out, in, KERNEL, KERNEL);
            parameters.put(name + ".weight", trainable(draws.normal(owner, shape).muli(INIT_STD)));
            if (batchNorm) {
                Shape channels = new Shape(out);
                parameters.put(name + ".bn.gamma", trainable(draws.normal(owner, channels).muli(INIT_STD).addi(1)));
                parameters.put(name + ".bn.beta", trainable(owner.zeros(channels)));
                buffers.put(name + ".bn.mean", owner.zeros(channels));
                buffers.put(name + ".bn.var", owner.ones(channels));
            }
            return new Stage(name, stride, padding, batchNorm);
        }

        private static NDArray trainable(NDArray a) {
            a.setRequiresGradient(true);
            return a;
        }
    }
}
