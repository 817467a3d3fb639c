package org.perceptuallab.plugins.generative;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.perceptuallab.api.CellState;
import org.perceptuallab.api.MetricsSink;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.Progress;
import org.perceptuallab.kit.ResidentMemory;
import org.perceptuallab.kit.io.Checkpoint;
import org.perceptuallab.kit.io.NumpyArrays;

/**
 * The training loop of both models: epochs over a seeded permutation of the training images in batches,
 * D(reconstruction, image) averaged over the batch, one optimiser step per batch. Streams per epoch the
 * mean reconstruction loss ({@code reconstruction}), images per second ({@code imagesPerSecond}) and
 * resident memory ({@code rssMib}). Writes a checkpoint at every epoch end and every {@code checkpointEvery}
 * steps: every tensor of the model and its optimisers, the epoch's permutation, the permutation generator's
 * state and the epoch's running sums, so that a run continued from it ends bit for bit where an
 * uninterrupted one does (on one device and thread count; a loss that draws at random per call, such as
 * mmd++'s redrawn features, restarts its own draws).
 */
final class Trainer {
    static final String RECONSTRUCTION = "reconstruction";
    static final String IMAGES_PER_SECOND = "imagesPerSecond";
    static final String RSS = "rssMib";

    private final String owner;
    private final Settings settings;
    private final GenerativeModel model;
    private final GenerativeModel.Objective objective;
    private final NDArray train;
    private final CellState state;
    private final int fixedImages;

    /**
     * What training did.
     *
     * @param attempts runs of the cell so far, this one included
     * @param trainingSeconds training time over every attempt (no checkpoints, figures or evaluation)
     * @param lastEpochLoss the last epoch's mean reconstruction loss
     * @param speeds images per second of each epoch this process trained whole
     * @param rssMib resident memory after each epoch this process trained whole (empty where unknown)
     */
    record Outcome(int attempts, double trainingSeconds, double lastEpochLoss, List<Double> speeds,
                   List<Long> rssMib) {
    }

    Trainer(String owner, Settings settings, GenerativeModel model, GenerativeModel.Objective objective,
            NDArray train, CellState state, int fixedImages) {
        this.owner = owner;
        this.settings = settings;
        this.model = model;
        this.objective = objective;
        this.train = train;
        this.state = state;
        this.fixedImages = Math.min(fixedImages, (int) train.getShape().get(0));
    }

    /** The reconstructions of the fixed training images after {@code epoch} (1-based), as a state file. */
    static String reconstructionsFile(int epoch) {
        return String.format(Locale.ROOT, "reconstructions-%04d.npy", epoch);
    }

    Outcome run(Progress progress, long seed) throws IOException {
        NDManager home = train.getManager();
        int n = (int) train.getShape().get(0);
        int batch = Math.min(settings.batch(), n);
        int stepsPerEpoch = (n + batch - 1) / batch;
        Random permutations = new Random(seed);
        int epoch = 0;
        int step = 0;
        long[] permutation = null;
        double lossSum = 0;
        int attempts = 1;
        double trainingSeconds = 0;
        double lastEpochLoss = Double.NaN;
        Checkpoint saved = Checkpoint.read(state, home, Checkpoint.FILE).orElse(null);
        if (saved != null) {
            ObjectNode meta = saved.meta();
            model.restore(saved);
            epoch = meta.get("epoch").asInt();
            step = meta.get("step").asInt();
            lossSum = meta.get("lossSum").asDouble();
            attempts = meta.get("attempts").asInt() + 1;
            trainingSeconds = meta.get("trainingSeconds").asDouble();
            lastEpochLoss = meta.path("lastEpochLoss").asDouble(Double.NaN);
            permutations = randomFrom(meta.get("random").asText());
            permutation = step > 0 ? saved.tensors().get("permutation").toLongArray() : null;
            saved.tensors().values().forEach(NDArray::close);
        }
        progress.step((long) epoch * stepsPerEpoch + step);
        List<Double> speeds = new ArrayList<>();
        List<Long> rssMib = new ArrayList<>();
        MetricsSink metrics = state.metrics();
        Engine engine = Engine.getEngine(home.getEngine().getEngineName());
        for (; epoch < settings.epochs(); epoch++) {
            if (permutation == null) {
                permutation = shuffled(permutations, n);
            }
            long started = System.nanoTime();
            boolean wholeEpoch = step == 0;
            int imagesHere = 0;
            for (; step < stepsPerEpoch; step++) {
                int from = step * batch;
                int to = Math.min(n, from + batch);
                try (NDManager scope = home.newSubManager()) {
                    scope.tempAttachAll(train);
                    model.live().forEach(t -> t.tempAttach(scope));
                    NDArray indices = scope.create(Arrays.copyOfRange(permutation, from, to));
                    NDArray images = train.get(indices);
                    double sum;
                    try (GradientCollector gc = engine.newGradientCollector()) {
                        NDArray distances = objective.distances(model.reconstruct(indices, images), images);
                        gc.backward(distances.mean());
                        sum = distances.sum().toType(DataType.FLOAT64, false).getDouble();
                    }
                    if (!Double.isFinite(sum)) {
                        throw new PlabException(owner + ": the reconstruction loss is not finite (" + sum + ") at"
                                + " epoch " + (epoch + 1) + ", step " + (step + 1) + "; lower the learning rates ('lr',"
                                + " and 'lrCodes' for glo) or check the loss");
                    }
                    model.step(epoch, scope);
                    lossSum += sum;
                }
                imagesHere += to - from;
                progress.step(1);
                boolean midEpoch = step + 1 < stepsPerEpoch;
                long globalStep = (long) epoch * stepsPerEpoch + step + 1;
                if (midEpoch && settings.checkpointEvery() > 0 && globalStep % settings.checkpointEvery() == 0) {
                    double seconds = trainingSeconds + (System.nanoTime() - started) / 1e9;
                    checkpoint(epoch, step + 1, permutation, permutations, lossSum, attempts, seconds, lastEpochLoss);
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            trainingSeconds += seconds;
            lastEpochLoss = lossSum / n;
            metrics.record(RECONSTRUCTION, epoch + 1, lastEpochLoss);
            metrics.record(IMAGES_PER_SECOND, epoch + 1, imagesHere / seconds);
            // Some of the engine's native memory is freed only when the Java objects holding it are collected,
            // and a loop of cheap steps makes too little Java garbage for a collection to come by itself:
            // measured on GLO 64x64 under l2, resident memory grew 50 MiB an epoch without this, and settled
            // with it.
            System.gc();
            long rss = ResidentMemory.mib();
            if (rss >= 0) {
                metrics.record(RSS, epoch + 1, rss);
            }
            if (wholeEpoch) {
                speeds.add(imagesHere / seconds);
                if (rss >= 0) {
                    rssMib.add(rss);
                }
            }
            progress.status(String.format(Locale.ROOT, "epoch %d: %.4g", epoch + 1, lastEpochLoss));
            writeFixedReconstructions(epoch + 1);
            permutation = null;
            step = 0;
            lossSum = 0;
            checkpoint(epoch + 1, 0, null, permutations, 0, attempts, trainingSeconds, lastEpochLoss);
        }
        return new Outcome(attempts, trainingSeconds, lastEpochLoss, speeds, rssMib);
    }

    private void writeFixedReconstructions(int epoch) throws IOException {
        try (NDManager scope = train.getManager().newSubManager()) {
            NDArray indices = scope.arange(0L, fixedImages);
            NDArray images = train.get("0:" + fixedImages);
            images.attach(scope);
            NDArray pictures = model.generator().forward(model.trainingCodes(indices, images, scope), false);
            state.write(reconstructionsFile(epoch), out -> NumpyArrays.writeNpy(pictures, out));
        }
    }

    private void checkpoint(int epoch, int step, long[] permutation, Random permutations, double lossSum,
                            int attempts, double trainingSeconds, double lastEpochLoss) throws IOException {
        ObjectNode meta = JsonNodeFactory.instance.objectNode().put("epoch", epoch).put("step", step)
                .put("lossSum", lossSum).put("attempts", attempts).put("trainingSeconds", trainingSeconds)
                .put("random", randomState(permutations));
        if (Double.isFinite(lastEpochLoss)) {
            meta.put("lastEpochLoss", lastEpochLoss);
        }
        meta.set("optimiser", model.optimiserSteps());
        try (NDManager scope = train.getManager().newSubManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>(model.state(scope));
            if (permutation != null) {
                tensors.put("permutation", scope.create(permutation));
            }
            new Checkpoint(tensors, meta).write(state, Checkpoint.FILE);
        }
    }

    /** 0 .. n-1 shuffled by {@code random} (Fisher-Yates). */
    static long[] shuffled(Random random, int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            long t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        return out;
    }

    /** A generator's whole state as text (java.util.Random serialises its seed). */
    private static String randomState(Random random) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(random);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    private static Random randomFrom(String text) throws IOException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(text)))) {
            return (Random) in.readObject();
        } catch (ClassNotFoundException e) {
            throw new IOException("unreadable random state in the checkpoint", e);
        }
    }
}
