package org.perceptuallab.plugins.deep;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.tensor.Draws;
import org.perceptuallab.kit.tensor.Ops;
import org.perceptuallab.kit.weights.WeightFiles;
import org.perceptuallab.plugins.deep.Architecture.Conv;
import org.perceptuallab.plugins.deep.Architecture.Kind;
import org.perceptuallab.plugins.deep.Architecture.Stage;

/**
 * The stages of an {@link Architecture} up to the deepest one a loss needs, with their convolution
 * weights (read from a file or drawn at random), and the forward pass that collects the requested stage
 * outputs. Weights live in the manager given at construction.
 */
final class Trunk {
    /** Inside the L2 pool's square root, DISTS's value. */
    static final double L2_POOL_EPSILON = 1e-12;
    private final Architecture architecture;
    private final int deepest;
    private final NDManager manager;
    /** By convolution key ({@link Architecture.Conv#key}), in stage order. */
    private final Map<String, NDArray> weights = new LinkedHashMap<>();
    private final Map<String, NDArray> biases = new LinkedHashMap<>();
    /** Per L2-pool stage, its Hann window repeated per channel, (C, 1, 3, 3); null elsewhere. */
    private final NDArray[] l2Windows;
    private final boolean normFirstConv;
    /** How random weights are drawn; null for weights read from a file. */
    private final Init init;
    /** Per other trunk compared with: how many leading stages compute the same (equal weights). */
    private final Map<Trunk, Integer> sameStages = new WeakHashMap<>();

    /** How random convolution weights are drawn. */
    enum Init {
        /** Kaiming normal (fan in, gain sqrt 2), zero bias. */
        KAIMING,
        /**
         * PyTorch's default for a new Conv2d (Kaiming uniform with a = sqrt 5): weights and biases uniform in
         * [-1 / sqrt(fan in), 1 / sqrt(fan in)]; the study's random AlexNet.
         */
        UNIFORM
    }

    private Trunk(Architecture architecture, int deepest, NDManager manager, boolean normFirstConv, Init init) {
        this.architecture = architecture;
        this.deepest = deepest;
        this.manager = manager;
        this.l2Windows = new NDArray[deepest + 1];
        this.normFirstConv = normFirstConv;
        this.init = init;
        int channels = architecture.stages().get(0).in();
        for (int i = 0; i <= deepest; i++) {
            Stage s = architecture.stages().get(i);
            if (s.out() > 0) {
                channels = s.out();
            } else if (s.kind() == Kind.L2_POOL) {
                l2Windows[i] = hannWindows(channels, manager);
            }
        }
    }

    /** The L2 pool's 3 x 3 Hann window, [1 2 1]^T [1 2 1] / 16, once per channel: (channels, 1, 3, 3). */
    private static NDArray hannWindows(int channels, NDManager manager) {
        float[] taps = {1, 2, 1};
        float[] windows = new float[channels * 9];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    windows[c * 9 + i * 3 + j] = taps[i] * taps[j] / 16;
                }
            }
        }
        return Ops.owned(manager.create(windows, new Shape(channels, 1, 3, 3)));
    }

    /** The trunk up to stage {@code deepest} with weights from {@code file} (any format of WeightFiles). */
    static Trunk load(String owner, Architecture architecture, Path file, int deepest, NDManager manager,
                      boolean normFirstConv) {
        Trunk trunk = new Trunk(architecture, deepest, manager, normFirstConv, null);
        List<String> keys = new ArrayList<>();
        for (Conv c : trunk.convolutions()) {
            keys.add(c.key() + ".weight");
            keys.add(c.key() + ".bias");
        }
        Map<String, NDArray> read;
        try {
            read = WeightFiles.readKeys(file, manager, keys);
        } catch (PlabException e) {
            throw new PlabException(owner + ": " + e.getMessage(), e);
        }
        for (Conv c : trunk.convolutions()) {
            trunk.weights.put(c.key(), checked(owner, file, c.key() + ".weight", read,
                    new Shape(c.out(), c.in(), c.kernel(), c.kernel())));
            trunk.biases.put(c.key(), checked(owner, file, c.key() + ".bias", read, new Shape(c.out())));
        }
        trunk.normaliseFirstConv();
        trunk.weightsChannelsLast();
        return trunk;
    }

    /** The trunk up to stage {@code deepest} with random weights drawn as {@code init} says. */
    static Trunk random(Architecture architecture, Draws draws, int deepest, NDManager manager,
                        boolean normFirstConv, Init init) {
        Trunk trunk = new Trunk(architecture, deepest, manager, normFirstConv, init);
        trunk.redraw(draws);
        return trunk;
    }

    /** A trunk of the same layout with random weights, the next draws of {@code draws}, in {@code manager}. */
    Trunk redrawnCopy(Draws draws, NDManager manager) {
        return random(architecture, draws, deepest, manager, normFirstConv, init);
    }

    /** Replaces every weight (and bias) by the next draws of {@code draws}, in stage order. */
    void redraw(Draws draws) {
        sameStages.clear();
        for (Conv c : convolutions()) {
            int fanIn = c.in() * c.kernel() * c.kernel();
            Shape shape = new Shape(c.out(), c.in(), c.kernel(), c.kernel());
            if (init == Init.UNIFORM) {
                double bound = 1 / Math.sqrt(fanIn);
                NDArray weight = draws.uniform(manager, shape, -bound, bound);
                replace(c.key(), weight, draws.uniform(manager, new Shape(c.out()), -bound, bound));
            } else {
                NDArray raw = draws.normal(manager, shape);
                NDArray scaled = raw.mul((float) Math.sqrt(2.0 / fanIn));
                raw.close();
                replace(c.key(), scaled, manager.zeros(new Shape(c.out())));
            }
        }
        normaliseFirstConv();
        weightsChannelsLast();
    }

    private void replace(String key, NDArray weight, NDArray bias) {
        NDArray oldWeight = weights.put(key, weight);
        NDArray oldBias = biases.put(key, bias);
        if (oldWeight != null) {
            oldWeight.close();
            oldBias.close();
        }
    }

    /** Subtracts from each first-layer filter its per-channel spatial mean. */
    private void normaliseFirstConv() {
        if (!normFirstConv || weights.isEmpty()) {
            return;
        }
        String first = weights.keySet().iterator().next();
        NDArray w = weights.get(first);
        Shape shape = w.getShape();
        NDArray flat = w.reshape(shape.get(0), shape.get(1), -1);
        weights.put(first, flat.sub(flat.mean(new int[] {2}, true)).reshape(shape));
        flat.close();
        w.close();
    }

    /**
     * Stores every filter bank channels-last, the layout of the maps it convolves: otherwise the engine
     * copies each bank into that layout twice per step, forward and backward (about 3% of a VGG step).
     */
    private void weightsChannelsLast() {
        for (Map.Entry<String, NDArray> e : weights.entrySet()) {
            NDArray w = e.getValue();
            Shape s = w.getShape();
            try (NDArray moved = w.transpose(0, 2, 3, 1); NDArray flat = moved.reshape(-1);
                 NDArray packed = flat.reshape(s.get(0), s.get(2), s.get(3), s.get(1))) {
                e.setValue(packed.transpose(0, 3, 1, 2));
            }
            w.close();
        }
    }

    /**
     * Whether stages 0..last of this trunk compute what {@code other}'s do: the same architecture with equal
     * weights and biases up to there (two losses drawn from one seed share their leading layers). Compared
     * once per pair of trunks.
     */
    boolean sameStagesAs(Trunk other, int last) {
        if (other == this) {
            return true;
        }
        return last < sameStages.computeIfAbsent(other, this::leadingStagesInCommon);
    }

    private int leadingStagesInCommon(Trunk other) {
        if (architecture != other.architecture) {
            return 0;
        }
        int common = Math.min(deepest, other.deepest);
        for (int i = 0; i <= common; i++) {
            for (Conv c : architecture.stages().get(i).convolutions(i)) {
                if (!(weights.get(c.key()).contentEquals(other.weights.get(c.key()))
                        && biases.get(c.key()).contentEquals(other.biases.get(c.key())))) {
                    return i;
                }
            }
        }
        return common + 1;
    }

    /** The convolutions up to the deepest stage, in stage order. */
    private List<Conv> convolutions() {
        List<Conv> out = new ArrayList<>();
        for (int i = 0; i <= deepest; i++) {
            out.addAll(architecture.stages().get(i).convolutions(i));
        }
        return out;
    }

    private static NDArray checked(String owner, Path file, String key, Map<String, NDArray> read, Shape want) {
        NDArray a = read.get(key);
        if (!a.getShape().equals(want)) {
            throw new PlabException(owner + ": tensor '" + key + "' of " + file + " has shape " + a.getShape()
                    + ", this network needs " + want + "; is it a file for another architecture?");
        }
        return a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
    }

    /**
     * Fails, naming the loss, the trunk's need and the fix, on a batch the trunk cannot take: other than 3
     * channels (its first convolution's), or too small for its pooling to reach the deepest wanted stage.
     */
    void checkInput(String owner, Shape shape, Set<Integer> wanted) {
        int last = wanted.stream().mapToInt(Integer::intValue).max().orElse(-1);
        if (last < 0) {
            return;
        }
        long channels = shape.get(1);
        int need = architecture.stages().get(0).in();
        if (channels != need) {
            throw new PlabException(owner + ": its " + architecture + " trunk takes " + need + "-channel (RGB)"
                    + " images, got " + channels + " channel(s); give RGB images (in 'plab distance', drop"
                    + " --gray), or repeat a grey channel " + need + " times before calling the loss");
        }
        long smallest = Math.min(shape.get(2), shape.get(3));
        long minimum = 1;
        while (architecture.outputSide(minimum, last) < 1) {
            minimum++;
        }
        if (smallest < minimum) {
            throw new PlabException(owner + ": its " + architecture + " trunk needs images of at least " + minimum
                    + " x " + minimum + " pixels to reach layer '" + architecture.stages().get(last).name()
                    + "' (its convolutions and pooling shrink them), got " + shape.get(3) + " x " + shape.get(2)
                    + "; enlarge the images (in 'plab distance': --resize " + minimum + ") or choose shallower"
                    + " layers (parameter 'layers')");
        }
    }

    /** The outputs of the stages in {@code wanted}, freeing the others as it goes. */
    Map<Integer, NDArray> features(NDArray x, Set<Integer> wanted) {
        return features(x, wanted, false);
    }

    /**
     * The outputs of the stages in {@code wanted} (indices), for a batch already in the network's input
     * scale; stops after the deepest wanted stage. Arrays attach to x's manager.
     *
     * <p>The outputs are (N, C, H, W) stored channels-last, the layout on which oneDNN's convolutions need no
     * reordering and the max pool is vectorised (together about a tenth of a VGG step); {@link
     * FeatureMetric#rows} and {@link FeatureMetric#positions} view them without copying.
     *
     * <p>A stage that is not wanted is freed as soon as the next one is computed: an evaluation (2AFC, a
     * distance matrix) then holds the wanted maps and two stages instead of every stage of the batch, so the
     * allocator reuses the same few blocks. Under a gradient nothing is lost: autograd keeps its own
     * references to what the backward pass needs.
     *
     * @param keepAll keep every stage computed (for other losses to reuse), not only the wanted ones
     */
    Map<Integer, NDArray> features(NDArray x, Set<Integer> wanted, boolean keepAll) {
        int last = wanted.stream().mapToInt(Integer::intValue).max().orElse(-1);
        if (last > deepest) {
            throw new IllegalArgumentException("stage " + last + " beyond the loaded " + deepest);
        }
        List<Stage> stages = architecture.stages();
        Map<Integer, NDArray> out = new LinkedHashMap<>();
        NDArray h = channelsLast(x);
        boolean kept = false;
        for (int i = 0; i <= last; i++) {
            Stage s = stages.get(i);
            NDArray in = h;
            if (s.kind() == Kind.RELU && i < last && stages.get(i + 1).kind() == Kind.MAX_POOL && !wanted.contains(i)) {
                // max pooling commutes with the ReLU; pooling first leaves the ReLU a quarter of the work
                i++;
                NDArray pooled = maxPool(in, stages.get(i));
                h = Activation.relu(pooled);
                pooled.close();
            } else {
                h = switch (s.kind()) {
                    case CONV -> conv(in, s.convolutions(i).get(0));
                    case RELU -> Activation.relu(in);
                    case MAX_POOL -> maxPool(in, s);
                    case L2_POOL -> l2Pool(in, i, s);
                    case FIRE -> fire(in, s.convolutions(i));
                };
            }
            if (!kept) {
                in.close();
            }
            kept = keepAll || wanted.contains(i);
            if (kept) {
                out.put(i, h);
            }
        }
        return out;
    }

    /** The convolution {@code c} of {@code in}; the per-call views of its weights are freed with the call. */
    private NDArray conv(NDArray in, Conv c) {
        try (NDArray weight = Ops.castLike(weights.get(c.key()), in);
             NDArray bias = Ops.castLike(biases.get(c.key()), in)) {
            return Ops.conv2d(in, weight, bias, c.stride(), c.padding(), 1);
        }
    }

    /** A fire module: ReLU(squeeze), then ReLU(expand 1x1) and ReLU(expand 3x3) concatenated over channels. */
    private NDArray fire(NDArray in, List<Conv> convs) {
        try (NDArray squeezed = conv(in, convs.get(0)); NDArray active = Activation.relu(squeezed);
             NDArray e1 = conv(active, convs.get(1)); NDArray e3 = conv(active, convs.get(2));
             NDArray r1 = Activation.relu(e1); NDArray r3 = Activation.relu(e3)) {
            return NDArrays.concat(new NDList(r1, r3), 1);
        }
    }

    private static NDArray maxPool(NDArray h, Stage s) {
        return Pool.maxPool2d(h, new Shape(s.kernel(), s.kernel()), new Shape(s.stride(), s.stride()),
                new Shape(0, 0), s.ceil());
    }

    /**
     * sqrt(window * h^2 + 1e-12) per channel (a grouped convolution at the stage's stride and padding); the
     * 1e-12 keeps the square root's gradient finite where a window holds only zeros (dead ReLUs).
     */
    private NDArray l2Pool(NDArray h, int i, Stage s) {
        try (NDArray window = Ops.castLike(l2Windows[i], h)) {
            return Ops.conv2d(h.square(), window, null, s.stride(), s.padding(), (int) h.getShape().get(1))
                    .add(L2_POOL_EPSILON).sqrt();
        }
    }

    /** The same (N, C, H, W) values stored channels-last; convolutions keep that layout for their outputs. */
    private static NDArray channelsLast(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 3, 1).reshape(-1).reshape(s.get(0), s.get(2), s.get(3), s.get(1))
                .transpose(0, 3, 1, 2);
    }
}
