package org.perceptuallab.plugins.deep;

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
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.perceptuallab.api.CellState;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.ExperimentContext;
import org.perceptuallab.api.ExperimentResult;
import org.perceptuallab.api.FeatureMap;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.Metric;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.Progress;
import org.perceptuallab.kit.io.Checkpoint;
import org.perceptuallab.kit.io.DecodedImages;
import org.perceptuallab.kit.io.NumpyArrays;
import org.perceptuallab.kit.io.TwoAfcSets;
import org.perceptuallab.kit.optim.Adam;
import org.perceptuallab.kit.tensor.Draws;
import org.pf4j.Extension;

/**
 * LPIPS calibration (Zhang et al. 2018, "lin" training): learns LPIPS's non-negative per-channel weights over a
 * trunk's normalised features from 2AFC judgements, with the paper's ranking head G (from d0, d1, d0 - d1,
 * d0 / (d1 + 0.1), d1 / (d0 + 0.1) through two hidden layers of 32 with leaky ReLU 0.2 to a sigmoid) trained by
 * cross-entropy against the fraction of people judging p1 closer, Adam with beta1 0.5, weights clamped at zero after
 * each step. It calibrates the cell's {@code lpips} loss, which must weigh every channel 1 ({@code linearWeights:
 * ones}): pretrained, random or the user's trunk alike, so "does a random VGG, once calibrated, match a pretrained
 * one?" is one matrix. It writes {@code lpips-linear.npz}, which {@code lpips} loads as {@code linearWeights}.
 *
 * <p>The trunk is fixed, so each triplet's per-channel squared differences (position means of the squared
 * differences of normalised features: LPIPS's distance is their weighted sum) are computed once, from the loss's
 * exact feature map, and kept in the cell's state: training and a resumed run touch no image again.
 */
@Extension(points = Experiment.class)
public final class LpipsCalibration implements Experiment {
    private static final String OWNER = "experiment 'lpips-calibration'";
    private static final String FEATURES = "features.zip";
    private static final String WEIGHTS_FILE = "lpips-linear.npz";
    /** LPIPS's ranking head: the epsilon of its ratio inputs and its hidden width. */
    private static final double RATIO_EPSILON = 0.1;
    private static final int HIDDEN = 32;
    /** 1980-01-01, the zip format's first day: the weights file's entries carry no time of writing. */
    private static final long FIXED_TIME = 315_532_800_000L;
    private static final float LEAK = 0.2f;

    private static final Param<String> DATA = Param.string("data", null, "the training set, BAPPS layout:"
            + " <root>/<category>/{ref,p0,p1}/*.png, judge/*.npy (relative to the matrix file), e.g. made by"
            + " 'plab make-2afc' or exported by 'plab serve'").required();
    private static final Param<String> TEST = Param.string("test", null, "held-out set in the same layout (e.g."
            + " BAPPS val); absent: a 'heldOut' share of data's triplets, drawn from the seed");
    private static final Param<Double> HELD_OUT = Param.real("heldOut", 0.2, 0.05, 0.9,
            "share of data's triplets held out for testing when no 'test' set is given");
    private static final Param<String> CATEGORIES = Param.string("categories", "",
            "categories to use, comma-separated (empty: all)");
    private static final Param<Integer> MAX_PER_CATEGORY = Param.integer("maxPerCategory", 0, 0, 10_000_000,
            "at most this many triplets per category (0: all)");
    private static final Param<Integer> SIZE = Param.integer("size", 64, 16, 1024,
            "images are resized to size x size (BAPPS: 64)");
    private static final Param<Integer> EPOCHS = Param.integer("epochs", 100, 1, 100_000,
            "epochs at the full learning rate");
    private static final Param<Integer> DECAY_EPOCHS = Param.integer("decayEpochs", 100, 0, 100_000,
            "epochs after those, the learning rate falling linearly to zero (LPIPS: 5 and 5 on 150k triplets)");
    private static final Param<Double> LR = Param.real("lr", 0.01, 1e-7, 1, "Adam learning rate (LPIPS: 1e-4 on"
            + " 150k triplets; a few hundred steps move the weights apart only from about 0.01)");
    private static final Param<Integer> BATCH = Param.integer("batch", 50, 1, 100_000, "triplets per step (LPIPS: 50)");
    private static final ParamSpec PARAMS = ParamSpec.of(DATA, TEST, HELD_OUT, CATEGORIES, MAX_PER_CATEGORY, SIZE,
            EPOCHS, DECAY_EPOCHS, LR, BATCH);

    @Override
    public String id() {
        return "lpips-calibration";
    }

    @Override
    public String summary() {
        return "learns lpips' per-channel weights from 2AFC judgements (the LPIPS paper's ranking head);"
                + " run with loss lpips and linearWeights: ones";
    }

    @Override
    public ParamSpec params() {
        return PARAMS;
    }

    /** No tiny run: it needs a 2AFC set, which the 2AFC plugin makes; LpipsCalibrationTest runs it on one. */
    @Override
    public Optional<ObjectNode> tinyRun(Path folder) {
        return Optional.empty();
    }

    @Override
    public ExperimentResult run(Params p, Loss loss, ExperimentContext ctx) throws IOException {
        Layout layout = Layout.of(loss, p.get(SIZE));
        long seed = ctx.seed();
        NDManager cell = ctx.manager();
        Checkpoint features = features(p, loss, layout, ctx, seed);
        NDArray trainFirst = features.tensors().get("train/s0");
        NDArray trainSecond = features.tensors().get("train/s1");
        NDArray trainJudge = features.tensors().get("train/h");
        NDArray testFirst = features.tensors().get("test/s0");
        NDArray testSecond = features.tensors().get("test/s1");
        double[] testJudge = features.tensors().get("test/h").toType(DataType.FLOAT64, false).toDoubleArray();

        Head head = new Head(cell, layout.width(), new Draws(seed));
        Adam adam = new Adam(cell, 0.5, 0.999);
        ObjectNode saved = JsonNodeFactory.instance.objectNode();
        List<Double> lossCurve = new ArrayList<>();
        List<Double> testCurve = new ArrayList<>();
        int done = resume(ctx.state(), cell, head, adam, lossCurve, testCurve);
        int epochs = p.get(EPOCHS) + p.get(DECAY_EPOCHS);
        int train = (int) trainFirst.getShape().get(0);
        int batch = Math.min(p.get(BATCH), train);
        double uncalibrated = score(testFirst, testSecond, testJudge, null);
        Engine engine = Engine.getEngine(cell.getEngine().getEngineName());
        try (Progress progress = ctx.progress("lpips-calibration", epochs)) {
            progress.step(done);
            for (int epoch = done; epoch < epochs; epoch++) {
                double lr = p.get(LR) * (epoch < p.get(EPOCHS) ? 1
                        : 1 - (epoch - p.get(EPOCHS)) / (double) (p.get(DECAY_EPOCHS) + 1));
                int[] order = shuffled(train, seed, epoch);
                double sum = 0;
                for (int from = 0; from + batch <= train; from += batch) {
                    try (NDManager step = cell.newSubManager()) {
                        NDArray rows = step.create(Arrays.copyOfRange(order, from, from + batch));
                        NDArray s0 = trainFirst.get(rows);
                        NDArray s1 = trainSecond.get(rows);
                        NDArray h = trainJudge.get(rows);
                        // the step's arrays, and what is computed from them, go when the step ends
                        new NDList(s0, s1, h).attach(step);
                        try (GradientCollector gc = engine.newGradientCollector()) {
                            NDArray bce = head.crossEntropy(s0, s1, h);
                            gc.backward(bce);
                            sum += bce.getFloat() * batch;
                        }
                        adam.step(head.tensors(), lr, step);
                        head.clampWeights(step);
                    }
                }
                lossCurve.add(sum / (train - train % batch));
                testCurve.add(score(testFirst, testSecond, testJudge, head.weights));
                checkpoint(ctx.state(), head, adam, epoch + 1, lossCurve, testCurve);
                progress.step(1);
                progress.status(String.format(java.util.Locale.ROOT, "held-out 2AFC %.4f",
                        testCurve.get(testCurve.size() - 1)));
            }
        }
        Path written = ctx.outputDir().resolve(WEIGHTS_FILE);
        writeLinearFile(head.weights, layout, written);
        double calibrated = score(testFirst, testSecond, testJudge, head.weights);
        saved.put("weightsFile", WEIGHTS_FILE);
        saved.put("use", "loss lpips with linearWeights: <this cell's folder>/" + WEIGHTS_FILE + ", and the net,"
                + " version, weights and seed of this cell's loss");
        saved.put("trainTriplets", train).put("testTriplets", testJudge.length).put("channels", layout.width());
        saved.put("zeroWeights", head.zeroCount()).put("resumedFromEpoch", done);
        return ExperimentResult.builder()
                .headline("score", Metric.fraction(calibrated, Metric.Better.HIGHER))
                .metric("scoreUncalibrated", Metric.fraction(uncalibrated, Metric.Better.HIGHER))
                .metric("scoreTrain", Metric.fraction(score(trainFirst, trainSecond, trainJudge.toType(DataType.FLOAT64, false).toDoubleArray(),
                        head.weights), Metric.Better.HIGHER))
                .metric("crossEntropy", Metric.value(lossCurve.get(lossCurve.size() - 1), Metric.Better.LOWER))
                .curve("crossEntropy", lossCurve)
                .curve("heldOutScore", testCurve)
                .details(saved)
                .synthetic(Files.isRegularFile(ctx.resolve(p.get(DATA)).resolve(TwoAfcSets.SYNTHETIC_MARKER)))
                .build();
    }

    /** Where each LPIPS layer's channels lie in the loss's feature map of one image. */
    record Layout(List<Long> channels, List<Long> positions) {
        static Layout of(Loss loss, int size) {
            if (!loss.spec().id().equals("lpips")) {
                throw new PlabException(OWNER + " calibrates lpips, not '" + loss.spec().id() + "'; run it with"
                        + " loss lpips and linearWeights: ones, e.g. {loss: lpips, net: vgg, linearWeights: ones}");
            }
            String weights = loss.spec().params().path(Lpips.LINEAR_WEIGHTS.name()).asText("");
            if (!Lpips.ONES.equals(weights)) {
                throw new PlabException(OWNER + " starts from every channel weighted 1; give the lpips loss"
                        + " linearWeights: " + Lpips.ONES + " (it has '" + (weights.isEmpty() ? "pretrained" : weights)
                        + "')");
            }
            Architecture architecture = Lpips.architecture(
                    loss.spec().params().path(Lpips.NET.name()).asText(Lpips.NET.defaultValue().asText()));
            List<Integer> stages = Lpips.stages(architecture);
            List<Long> positions = new ArrayList<>();
            for (int stage : stages) {
                long side = architecture.outputSide(size, stage);
                positions.add(side * side);
            }
            return new Layout(Lpips.channels(architecture, stages), positions);
        }

        int width() {
            return (int) channels.stream().mapToLong(Long::longValue).sum();
        }

        /**
         * Per-channel sums over positions of the squared differences of two images' features, (N, width): with
         * every channel weighted 1 the feature map holds normalised features over sqrt(H W), so these are the
         * position means LPIPS weighs.
         */
        NDArray perChannel(NDArray fx, NDArray fy) {
            NDArray squared = fx.sub(fy).square();
            long n = squared.getShape().get(0);
            NDList parts = new NDList();
            long offset = 0;
            for (int i = 0; i < channels.size(); i++) {
                long length = channels.get(i) * positions.get(i);
                parts.add(squared.get(":, " + offset + ":" + (offset + length))
                        .reshape(n, channels.get(i), positions.get(i)).sum(new int[] {2}));
                offset += length;
            }
            if (offset != squared.getShape().get(1)) {
                throw new IllegalStateException("lpips feature map of width " + squared.getShape().get(1)
                        + " does not match its layers' " + offset);
            }
            return NDArrays.concat(parts, 1);
        }
    }

    /** The triplets' per-channel differences, from the state when an earlier run computed them. */
    private static Checkpoint features(Params p, Loss loss, Layout layout, ExperimentContext ctx, long seed)
            throws IOException {
        Optional<Checkpoint> saved = Checkpoint.read(ctx.state(), ctx.manager(), FEATURES);
        if (saved.isPresent()) {
            return saved.get();
        }
        List<TwoAfcSets.Triplet> train = triplets(p, ctx, p.get(DATA));
        List<TwoAfcSets.Triplet> test;
        if (p.find(TEST).isPresent()) {
            test = triplets(p, ctx, p.get(TEST));
        } else {
            List<TwoAfcSets.Triplet> all = new ArrayList<>(train);
            Collections.shuffle(all, new Random(seed));
            int held = (int) Math.round(all.size() * p.get(HELD_OUT));
            if (held < 1 || held >= all.size()) {
                throw new PlabException(OWNER + ": " + all.size() + " triplets cannot be split with heldOut "
                        + p.get(HELD_OUT) + "; give more triplets or a 'test' set");
            }
            test = all.subList(0, held);
            train = all.subList(held, all.size());
        }
        FeatureMap map = loss.featureMap().orElseThrow(() -> new IllegalStateException("lpips has a feature map"));
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        try (Progress progress = ctx.progress("lpips-calibration features", train.size() + test.size())) {
            differences("train", train, map, layout, p.get(SIZE), ctx, progress, tensors);
            differences("test", test, map, layout, p.get(SIZE), ctx, progress, tensors);
        }
        Checkpoint made = new Checkpoint(tensors, JsonNodeFactory.instance.objectNode()
                .put("train", train.size()).put("test", test.size()));
        made.write(ctx.state(), FEATURES);
        return made;
    }

    private static List<TwoAfcSets.Triplet> triplets(Params p, ExperimentContext ctx, String folder) {
        Path root = ctx.resolve(folder);
        List<String> only = Arrays.stream(p.get(CATEGORIES).split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
        List<TwoAfcSets.Triplet> out = new ArrayList<>();
        for (String category : TwoAfcSets.categories(OWNER, root, only)) {
            out.addAll(TwoAfcSets.triplets(OWNER, ctx.manager(), root, category, p.get(MAX_PER_CATEGORY)));
        }
        return out;
    }

    /** {@code name/s0}, {@code name/s1} (N, width) and {@code name/h} (N) of the triplets, 32 at a time. */
    private static void differences(String name, List<TwoAfcSets.Triplet> triplets, FeatureMap map, Layout layout,
                                    int size, ExperimentContext ctx, Progress progress, Map<String, NDArray> out)
            throws IOException {
        int n = triplets.size();
        List<Path> files = new ArrayList<>(3 * n);
        triplets.forEach(t -> files.add(t.ref()));
        triplets.forEach(t -> files.add(t.p0()));
        triplets.forEach(t -> files.add(t.p1()));
        NDList first = new NDList();
        NDList second = new NDList();
        NDManager cell = ctx.manager();
        try (DecodedImages images = DecodedImages.open(files, 3, size, size, ctx.cacheFolder())) {
            for (int from = 0; from < n; from += 32) {
                int to = Math.min(n, from + 32);
                try (NDManager scope = cell.newSubManager()) {
                    NDArray ref = map.features(images.batch(scope, from, to));
                    NDArray s0 = layout.perChannel(ref, map.features(images.batch(scope, n + from, n + to)));
                    NDArray s1 = layout.perChannel(ref, map.features(images.batch(scope, 2 * n + from, 2 * n + to)));
                    s0.attach(cell);
                    s1.attach(cell);
                    first.add(s0);
                    second.add(s1);
                }
                progress.step(to - from);
            }
        }
        out.put(name + "/s0", NDArrays.concat(first, 0));
        out.put(name + "/s1", NDArrays.concat(second, 0));
        float[] judge = new float[n];
        for (int i = 0; i < n; i++) {
            judge[i] = (float) triplets.get(i).judge();
        }
        out.put(name + "/h", cell.create(judge));
        first.close();
        second.close();
    }

    /** The 2AFC score of the weighted distances (weights null: every channel 1). */
    private static double score(NDArray s0, NDArray s1, double[] judge, NDArray weights) {
        try (NDManager scope = s0.getManager().newSubManager()) {
            NDArray w = weights == null ? scope.ones(new Shape(s0.getShape().get(1))) : weights;
            NDList distances = new NDList(s0.matMul(w), s1.matMul(w));
            distances.attach(scope);
            double[] d0 = distances.get(0).toType(DataType.FLOAT64, false).toDoubleArray();
            double[] d1 = distances.get(1).toType(DataType.FLOAT64, false).toDoubleArray();
            double sum = 0;
            for (int i = 0; i < judge.length; i++) {
                sum += TwoAfcSets.score(d0[i], d1[i], judge[i]);
            }
            return sum / judge.length;
        }
    }

    /** A permutation of the training triplets, the same for an epoch whether run straight or resumed. */
    private static int[] shuffled(int n, long seed, int epoch) {
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
        return order.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The calibrated weights and the ranking head G, the trainable tensors. */
    private static final class Head {
        private final NDArray weights;
        private final Map<String, NDArray> tensors = new LinkedHashMap<>();

        Head(NDManager owner, int width, Draws draws) {
            weights = owner.ones(new Shape(width));
            tensors.put("w", weights);
            // torch's default initialisation of the head's 1x1 convolutions: U(-1/sqrt(fan in), 1/sqrt(fan in))
            int[] widths = {5, HIDDEN, HIDDEN, 1};
            for (int i = 0; i < 3; i++) {
                double bound = 1 / Math.sqrt(widths[i]);
                tensors.put("g" + i + ".weight", draws.uniform(owner, new Shape(widths[i], widths[i + 1]), -bound, bound));
                tensors.put("g" + i + ".bias", draws.uniform(owner, new Shape(widths[i + 1]), -bound, bound));
            }
            tensors.values().forEach(t -> t.setRequiresGradient(true));
        }

        Map<String, NDArray> tensors() {
            return tensors;
        }

        /** Mean binary cross-entropy of G(d0, d1) against h, from its logit (stable where G saturates). */
        NDArray crossEntropy(NDArray s0, NDArray s1, NDArray h) {
            NDArray d0 = s0.matMul(weights);
            NDArray d1 = s1.matMul(weights);
            NDArray in = NDArrays.stack(new NDList(d0, d1, d0.sub(d1), d0.div(d1.add(RATIO_EPSILON)),
                    d1.div(d0.add(RATIO_EPSILON))), 1);
            NDArray a = in;
            for (int i = 0; i < 3; i++) {
                a = a.matMul(tensors.get("g" + i + ".weight")).add(tensors.get("g" + i + ".bias"));
                if (i < 2) {
                    a = a.maximum(a.mul(LEAK));
                }
            }
            NDArray logit = a.reshape(-1);
            // log(1 + e^z) - h z, with log(1 + e^z) = max(z, 0) + log(1 + e^-|z|)
            NDArray softplus = logit.maximum(0).add(logit.abs().neg().exp().add(1).log());
            return softplus.sub(h.mul(logit)).mean();
        }

        /** LPIPS keeps the weights non-negative: clamped at zero after each step. */
        void clampWeights(NDManager scope) {
            NDArray positive = weights.gt(0);
            positive.attach(scope);
            weights.muli(positive);
        }

        long zeroCount() {
            long zeros = 0;
            for (float w : weights.toFloatArray()) {
                zeros += w == 0 ? 1 : 0;
            }
            return zeros;
        }
    }

    private static int resume(CellState state, NDManager owner, Head head, Adam adam, List<Double> lossCurve,
                              List<Double> testCurve) throws IOException {
        Optional<Checkpoint> saved = Checkpoint.read(state, owner, Checkpoint.FILE);
        if (saved.isEmpty()) {
            return 0;
        }
        Checkpoint c = saved.get();
        head.tensors().forEach((name, t) -> t.set(c.tensors().get(name).toFloatArray()));
        adam.restore(c.meta().get("adamSteps").asLong(), c.under("adam/"));
        c.meta().withArray("crossEntropy").forEach(v -> lossCurve.add(v.asDouble()));
        c.meta().withArray("heldOutScore").forEach(v -> testCurve.add(v.asDouble()));
        return c.meta().get("epoch").asInt();
    }

    private static void checkpoint(CellState state, Head head, Adam adam, int epoch, List<Double> lossCurve,
                                   List<Double> testCurve) throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>(head.tensors());
        adam.moments().forEach((name, m) -> tensors.put("adam/" + name, m));
        ObjectNode meta = JsonNodeFactory.instance.objectNode().put("epoch", epoch).put("adamSteps", adam.steps());
        lossCurve.forEach(meta.putArray("crossEntropy")::add);
        testCurve.forEach(meta.putArray("heldOutScore")::add);
        new Checkpoint(tensors, meta).write(state, Checkpoint.FILE);
    }

    /** The weights as LPIPS's linear-layer file: lin{i}.model.1.weight of shape (1, C, 1, 1), as .npz. */
    private static void writeLinearFile(NDArray weights, Layout layout, Path file) throws IOException {
        try (NDManager scope = weights.getManager().newSubManager();
             OutputStream out = Files.newOutputStream(file);
             ZipOutputStream zip = new ZipOutputStream(out)) {
            long offset = 0;
            for (int i = 0; i < layout.channels().size(); i++) {
                long c = layout.channels().get(i);
                NDArray layer = weights.get(offset + ":" + (offset + c)).reshape(1, c, 1, 1);
                layer.attach(scope);
                ZipEntry entry = new ZipEntry(Lpips.linearKey(i) + ".npy");
                entry.setTime(FIXED_TIME); // the same weights give the same bytes
                zip.putNextEntry(entry);
                NumpyArrays.writeNpy(layer, zip);
                zip.closeEntry();
                offset += c;
            }
        }
    }
}
