package org.perceptuallab.plugins.generative;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.perceptuallab.api.CellState;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.Progress;
import org.perceptuallab.kit.io.Checkpoint;
import org.perceptuallab.kit.optim.Adam;
import org.perceptuallab.kit.tensor.Draws;

/**
 * A sampler of codes by implicit maximum likelihood (Li and Malik 2019), as the reference trains its
 * {@code LatentMapper}: a mapping network (noise 64 to 128 to 128 to the code length, batch norm and ReLU after
 * the first two) from standard normal noise to codes. Each epoch draws as much noise as the batches of the
 * epoch hold, maps it (batch norm in training mode, as the reference does), gives every learnt code the noise
 * whose image is nearest (squared Euclidean), then fits, batch by batch over a permutation of the codes, the
 * mapping of that noise to its code by Adam (betas 0.5, 0.999, weight decay 1e-5 added to the gradient as in
 * torch) on the mean squared difference. Each epoch ends with a checkpoint ({@link #FILE}), so a killed cell
 * continues at the epoch it was in and ends bit for bit where an uninterrupted one does.
 *
 * <p>Unlike the reference, the mapping is fitted to the codes centred and divided by their root-mean-square
 * spread, and its outputs are mapped back. Its initial outputs have a standard deviation near 1; a GLO's codes
 * on small data spread far less (0.08 on the bundled Fashion-MNIST), so without it the mapped noise nearest to
 * one code was nearest to all of them, every batch repeated one noise vector, batch norm divided by a variance
 * of zero, and the mapping swung between a constant and outputs 7 to 40 times wider than the codes. One scale
 * for all dimensions keeps the nearest-neighbour search's Euclidean geometry.
 */
final class ImleSampler {
    static final String FILE = "imle.zip";
    static final String LOSS = "imleLoss";
    private static final double WEIGHT_DECAY = 1e-5;
    /** Codes whose nearest noise images are found in one matrix product. */
    private static final int SEARCH_ROWS = 256;

    /**
     * How the mapping is trained (the reference's: noise 64, 20 epochs, batch 8, lr 0.001).
     *
     * @param noise noise dimensions (the reference's e_dim)
     * @param epochs epochs over the codes
     * @param batch codes per step
     * @param lr Adam's learning rate
     */
    record Schedule(int noise, int epochs, int batch, double lr) {
        static Schedule of(Params p) {
            return new Schedule(p.get(GenerativeExperiment.IMLE_NOISE), p.get(GenerativeExperiment.IMLE_EPOCHS),
                    p.get(GenerativeExperiment.IMLE_BATCH), p.get(GenerativeExperiment.IMLE_LR));
        }
    }

    private final Schedule schedule;
    private final Network mapping;
    /** The codes' mean (L) and root-mean-square distance from it: the mapping's outputs in code units. */
    private final NDArray centre;
    private final float spread;

    private ImleSampler(Schedule schedule, Network mapping, NDArray centre, float spread) {
        this.schedule = schedule;
        this.mapping = mapping;
        this.centre = centre;
        this.spread = spread;
    }

    /**
     * The sampler fitted to {@code codes} (N, L), continuing from the cell state's checkpoint where there is one;
     * its tensors live in {@code owner}. Streams the epochs' mean losses, in the codes' units, as {@link #LOSS}.
     */
    static ImleSampler fit(NDArray codes, Schedule schedule, Init init, long seed, CellState state, Progress progress,
                           NDManager owner) throws IOException {
        int n = (int) codes.getShape().get(0);
        Network mapping = Network.mapping(owner, new Draws(seed), init, schedule.noise(),
                (int) codes.getShape().get(1));
        Adam adam = new Adam(owner, Settings.BETA1, Settings.BETA2);
        int epoch = 0;
        Checkpoint saved = Checkpoint.read(state, owner, FILE).orElse(null);
        if (saved != null) {
            mapping.restore(saved.under("m/"), owner);
            adam.restore(saved.meta().get("steps").asLong(), saved.under("adam/"));
            epoch = saved.meta().get("epoch").asInt();
            saved.tensors().values().forEach(NDArray::close);
        }
        progress.step(epoch);
        int batch = Math.min(schedule.batch(), n);
        NDArray centre = codes.mean(new int[] {0});
        centre.attach(owner);
        NDArray centred = codes.sub(centre);
        float rms = centred.square().mean().sqrt().getFloat();
        float spread = rms > 0 ? rms : 1;
        NDArray standard = centred.divi(spread);
        standard.attach(owner);
        Engine engine = Engine.getEngine(owner.getEngine().getEngineName());
        for (; epoch < schedule.epochs(); epoch++) {
            // one stream per epoch, so that a resumed epoch draws what the uninterrupted one drew
            long epochSeed = new Random(seed ^ (epoch + 1) * 0x9E3779B97F4A7C15L).nextLong();
            int batches = n / batch;
            double lossSum = 0;
            try (NDManager epochScope = owner.newSubManager()) {
                NDArray noise = new Draws(epochSeed).normal(epochScope, new Shape((long) batches * batch,
                        schedule.noise()));
                long[] nearest = nearestNoise(mapping, standard, noise, batch, epochScope);
                long[] order = Trainer.shuffled(new Random(epochSeed), n);
                for (int b = 0; b < batches; b++) {
                    try (NDManager scope = epochScope.newSubManager()) {
                        mapping.state().values().forEach(t -> t.tempAttach(scope));
                        long[] picked = Arrays.copyOfRange(order, b * batch, (b + 1) * batch);
                        long[] noiseRows = new long[batch];
                        for (int i = 0; i < batch; i++) {
                            noiseRows[i] = nearest[(int) picked[i]];
                        }
                        NDArray input = noise.get(scope.create(noiseRows));
                        NDArray target = standard.get(scope.create(picked));
                        input.attach(scope);
                        target.attach(scope);
                        try (GradientCollector gc = engine.newGradientCollector()) {
                            NDArray loss = mapping.forward(input, true).sub(target).square().mean();
                            gc.backward(loss);
                            lossSum += loss.toType(DataType.FLOAT64, false).getDouble();
                        }
                        mapping.parameters().values().forEach(p -> p.getGradient().addi(p.mul(WEIGHT_DECAY)));
                        adam.step(mapping.parameters(), schedule.lr(), scope);
                    }
                }
            }
            state.metrics().record(LOSS, epoch + 1, batches == 0 ? 0 : lossSum / batches * spread * spread);
            checkpoint(state, mapping, adam, epoch + 1, owner);
            progress.step(1);
        }
        standard.close();
        return new ImleSampler(schedule, mapping, centre, spread);
    }

    /**
     * For each code, the row of {@code noise} whose image under the mapping (in training mode, batch by batch,
     * updating the running statistics as the reference's pass does) is nearest.
     */
    private static long[] nearestNoise(Network mapping, NDArray codes, NDArray noise, int batch, NDManager scope) {
        int rows = (int) noise.getShape().get(0);
        NDList parts = new NDList();
        mapping.state().values().forEach(t -> t.tempAttach(scope));
        for (int from = 0; from < rows; from += batch) {
            parts.add(mapping.forward(noise.get(from + ":" + (from + batch)), true));
        }
        int n = (int) codes.getShape().get(0);
        long[] out = new long[n];
        if (rows == 0) {
            return out;
        }
        NDArray mapped = NDArrays.concat(parts, 0);
        NDArray mappedNorms = mapped.square().sum(new int[] {1});
        for (int from = 0; from < n; from += SEARCH_ROWS) {
            int to = Math.min(n, from + SEARCH_ROWS);
            try (NDManager search = scope.newSubManager()) {
                NDArray c = codes.get(from + ":" + to);
                c.attach(search);
                // |c|^2 is the same along a row, so the nearest is the least |m|^2 - 2 c.m
                NDArray nearest = mappedNorms.expandDims(0).sub(c.matMul(mapped.transpose()).mul(2)).argMin(1);
                nearest.attach(search);
                System.arraycopy(nearest.toLongArray(), 0, out, from, to - from);
            }
        }
        return out;
    }

    private static void checkpoint(CellState state, Network mapping, Adam adam, int epochs, NDManager owner)
            throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        mapping.state().forEach((name, t) -> tensors.put("m/" + name, t));
        adam.moments().forEach((name, t) -> tensors.put("adam/" + name, t));
        ObjectNode meta = JsonNodeFactory.instance.objectNode().put("epoch", epochs).put("steps", adam.steps());
        new Checkpoint(tensors, meta).write(state, FILE);
    }

    /** Codes (count, L) of fresh noise from {@code draws}, the mapping in evaluation mode, in {@code into}. */
    NDArray sample(Draws draws, int count, NDManager into) {
        return map(draws.normal(into, new Shape(count, schedule.noise())));
    }

    /** Noise (N, E) to codes, the mapping in evaluation mode; the result joins the noise's manager. */
    NDArray map(NDArray noise) {
        return mapping.forward(noise, false).muli(spread).addi(centre);
    }

    /** The noise dimensions, where interpolations run. */
    int noise() {
        return schedule.noise();
    }
}
