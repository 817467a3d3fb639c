package org.perceptuallab.plugins.generative;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.perceptuallab.api.ExperimentContext;
import org.perceptuallab.api.ExperimentResult;
import org.perceptuallab.api.FeatureMap;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Metric.Better;
import org.perceptuallab.api.Metric;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.Progress;
import org.perceptuallab.api.Table;
import org.perceptuallab.kit.io.Figures;
import org.perceptuallab.kit.io.Images;
import org.perceptuallab.kit.io.NumpyArrays;
import org.perceptuallab.kit.metrics.FrechetDistance;
import org.perceptuallab.kit.tensor.Draws;
import org.perceptuallab.kit.tensor.Ops;

/**
 * What a trained model is judged by, and the pictures of it: the final codes ({@code codes.npy}); a Gaussian
 * with full covariance fitted to them and samples drawn from it; interpolations between codes of training
 * images; each sample's nearest training image (pixel l2); held-out reconstruction under l2 and under the
 * loss; the sliced Wasserstein distance between as many samples as there are held-out images and those
 * images, on whole images and on patches.
 */
final class Evaluation {
    /** Offsets of the seeds of each draw after training, so that none shares a stream with another. */
    private static final long SAMPLE_SEED = 1;
    private static final long INTERPOLATION_SEED = 2;
    private static final long DIRECTION_SEED = 3;
    private static final long HELD_OUT_SEED = 4;
    private static final long IMLE_SEED = 5;
    private static final long IMLE_SAMPLE_SEED = 6;
    private static final long IMLE_INTERPOLATION_SEED = 7;
    private static final int SAMPLES_PER_ROW = 8;
    private static final int MAX_EPOCH_ROWS = 10;
    private static final int SIDE_BY_SIDE_PER_ROW = 4;

    private final Params params;
    private final Settings settings;
    private final ExperimentContext ctx;
    private final ImageSet data;
    private final GenerativeModel model;
    private final GenerativeModel.Objective objective;
    private final UnaryOperator<NDArray> lossView;
    private final NDManager manager;
    private final ExperimentResult.Builder result = ExperimentResult.builder();
    private final ObjectNode details = JsonNodeFactory.instance.objectNode();

    Evaluation(Params params, Settings settings, ExperimentContext ctx, ImageSet data,
               GenerativeModel model, GenerativeModel.Objective objective, UnaryOperator<NDArray> lossView,
               NDManager manager) {
        this.params = params;
        this.settings = settings;
        this.ctx = ctx;
        this.data = data;
        this.model = model;
        this.objective = objective;
        this.lossView = lossView;
        this.manager = manager;
    }

    static long heldOutSeed(long seed) {
        return seed + HELD_OUT_SEED;
    }

    ExperimentResult evaluate(Loss loss, Trainer.Outcome outcome) throws IOException {
        Path out = ctx.outputDir();
        int n = data.trainCount();
        NDArray codes = batched(data.train(), (images, from) -> model.trainingCodes(
                manager.arange((long) from, from + images.getShape().get(0)), images, manager));
        Files.createDirectories(out);
        try (OutputStream file = Files.newOutputStream(out.resolve("codes.npy"))) {
            NumpyArrays.writeNpy(codes, file);
        }
        double[][] codeRows = rows(codes);
        Gaussian gaussian = Gaussian.fit(codeRows);
        Optional<ImleSampler> imle = fitImle(codes, loss);
        int heldOut = data.heldOutCount();
        int shown = params.get(GenerativeExperiment.SAMPLES);
        NDArray samples = decode(toCodes(gaussian.sample(new Random(ctx.seed() + SAMPLE_SEED), Math.max(shown,
                heldOut))));

        result.metric("trainLoss", Metric.distance(outcome.lastEpochLoss(), Better.LOWER));
        epochFigures(out);
        if (heldOut > 0) {
            heldOutFigures(loss);
            heldOutScores(codes, samples, imle);
        } else {
            details.put("heldOut", "none: 'heldOut' is 0, so no held-out reconstruction, no sliced Wasserstein"
                    + " distance and no baselines");
        }
        result.metric("trainImages", Metric.count(n)).metric("heldOutImages", Metric.count(heldOut))
                .metric("epochs", Metric.count(settings.epochs()))
                .metric("trainingSeconds", Metric.seconds(outcome.trainingSeconds()));
        speedAndMemory(outcome);
        NDArray shownSamples = samples.get("0:" + shown);
        write(Figures.grid(rowsOf("", shownSamples, List.of()), cell()), "samples", "samples.png");
        neighbours(shownSamples);
        interpolations(codes);
        imle.ifPresent(sampler -> imleFigures(sampler, shown));
        details.put("codes", "codes.npy: (" + n + ", " + settings.latent() + ") float32, the final code of each"
                + " training image in the data's reading order");
        details.put("gaussian", String.format(Locale.ROOT, "full covariance over %d codes; ridge %.3g (%.0e x the mean"
                + " variance) added before the Cholesky factor", n, gaussian.ridge(), Gaussian.RIDGE));
        details.put("attempts", outcome.attempts());
        details.put("resume", "checkpoints every epoch" + (settings.checkpointEvery() > 0 ? " and every "
                + settings.checkpointEvery() + " steps" : "") + "; a resumed run ends bit for bit where an"
                + " uninterrupted one does unless the loss draws at random per call");
        details.set("trainSources", JsonNodeFactory.instance.arrayNode().addAll(
                Arrays.stream(data.trainSources()).mapToObj(JsonNodeFactory.instance::numberNode).toList()));
        return result.details(details).build();
    }

    /**
     * Images per second: the median over the epochs this process trained whole, the first left out when
     * there are more (it warms the JIT and the allocator). Memory growth: resident memory after the last
     * epoch against after the second, with three epochs or more.
     */
    private void speedAndMemory(Trainer.Outcome outcome) {
        List<Double> speeds = outcome.speeds();
        if (!speeds.isEmpty()) {
            double[] timed = speeds.subList(speeds.size() > 1 ? 1 : 0, speeds.size()).stream()
                    .mapToDouble(Double::doubleValue).sorted().toArray();
            int k = timed.length;
            double median = k % 2 == 1 ? timed[k / 2] : (timed[k / 2 - 1] + timed[k / 2]) / 2;
            result.metric("imagesPerSecond", Metric.value(median, Better.HIGHER));
        }
        List<Long> rss = outcome.rssMib();
        if (rss.size() >= 3) {
            double second = rss.get(1);
            result.metric("rssGrowth", Metric.fraction((rss.get(rss.size() - 1) - second) / second, Better.LOWER));
            details.put("rssMib", rss.toString() + " after each epoch of this process");
        }
    }

    private void heldOutFigures(Loss loss) {
        NDArray images = data.heldOut();
        NDArray codes = batched(images, (batch, from) -> model.heldOutCodes(batch, objective, manager));
        NDArray reconstructions = decode(codes);
        Loss l2 = ctx.loss(LossSpec.of("l2"));
        double underL2 = meanDistance(l2, reconstructions, images);
        double underLoss = meanDistance(loss, reconstructions, images);
        result.metric("heldOutL2", Metric.distance(underL2, Better.LOWER))
                .metric("heldOutLoss", Metric.distance(underLoss, Better.LOWER));
        for (String id : crossEvaluationLosses()) {
            result.metric("heldOut.under." + id, Metric.distance(meanDistance(ctx.loss(LossSpec.of(id)),
                    reconstructions, images), Better.LOWER));
        }
        int shown = Math.min(SAMPLES_PER_ROW, data.heldOutCount());
        List<Figures.Row> rows = new ArrayList<>(rowsOf("held-out images", images.get("0:" + shown), List.of()));
        rows.addAll(rowsOf("their reconstructions", reconstructions.get("0:" + shown), List.of()));
        write(Figures.grid(rows, cell()), "held-out reconstructions", "held-out.png");
        details.put("heldOutCodes", model instanceof Glo glo
                ? "optimised: " + glo.heldOutSteps() + " Adam steps on fresh codes under the loss, the"
                        + " generator frozen (batch norm in evaluation mode)"
                : "the encoder's, in evaluation mode");
    }

    /** The loss ids of {@code evaluateWith}, each once, in the order given. */
    private List<String> crossEvaluationLosses() {
        List<String> ids = Arrays.stream(params.get(GenerativeExperiment.EVALUATE_WITH).split(","))
                .map(String::trim).filter(id -> !id.isEmpty()).distinct().toList();
        if (!ids.isEmpty()) {
            details.put("crossEvaluation", "heldOut.under.<id>: the held-out reconstructions' mean distance to their"
                    + " images under each loss of 'evaluateWith', with its defaults and the cell's seed");
        }
        return ids;
    }

    private double meanDistance(Loss loss, NDArray x, NDArray y) {
        double sum = 0;
        int n = (int) x.getShape().get(0);
        for (int from = 0; from < n; from += settings.batch()) {
            String range = from + ":" + Math.min(n, from + settings.batch());
            try (NDManager scope = manager.newSubManager()) {
                NDArray a = x.get(range);
                NDArray b = y.get(range);
                scope.tempAttachAll(a, b);
                sum += loss.distance(lossView.apply(a), lossView.apply(b)).sum().toType(DataType.FLOAT64, false)
                        .getDouble();
            }
        }
        return sum / n;
    }

    /** Sliced Wasserstein-1 of an image set against a reference set: on whole images, then on patches. */
    @FunctionalInterface
    private interface SlicedScores {
        double[] of(NDArray images, NDArray reference);
    }

    /**
     * Scores against the held-out images, every set along one draw of directions: the headline's (as many
     * Gaussian samples as held-out images), then the baselines.
     */
    private void heldOutScores(NDArray codes, NDArray gaussianSamples, Optional<ImleSampler> imle) {
        NDArray heldOut = data.heldOut();
        int n = data.heldOutCount();
        int patch = Math.min(params.get(GenerativeExperiment.SWD_PATCH), settings.size());
        int stride = Math.max(1, patch / 2);
        int projections = params.get(GenerativeExperiment.SWD_PROJECTIONS);
        Draws draws = new Draws(ctx.seed() + DIRECTION_SEED);
        try (NDManager scope = manager.newSubManager()) {
            long pixels = (long) settings.channels() * settings.size() * settings.size();
            NDArray imageDirections = SlicedWasserstein.directions(scope, draws, pixels, projections);
            NDArray patchDirections = SlicedWasserstein.directions(scope, draws,
                    (long) settings.channels() * patch * patch, projections);
            SlicedScores swd = (images, reference) -> new double[] {
                SlicedWasserstein.distance(SlicedWasserstein.imageRows(images), SlicedWasserstein.imageRows(reference),
                        imageDirections),
                SlicedWasserstein.distance(SlicedWasserstein.patchRows(images, patch, stride),
                        SlicedWasserstein.patchRows(reference, patch, stride), patchDirections)};
            double[] headline = swd.of(gaussianSamples.get("0:" + n), heldOut);
            result.headline("swdPatches", Metric.value(headline[1], Better.LOWER))
                    .metric("swdImages", Metric.value(headline[0], Better.LOWER));
            long side = (settings.size() - patch) / stride + 1;
            details.put("swd", String.format(Locale.ROOT, "sliced Wasserstein-1 between %d samples of the fitted"
                    + " Gaussian and the %d held-out images, %d random unit directions, pixels in [-1, 1]: swdImages on"
                    + " whole images (%d-dimensional), swdPatches on their %dx%d patches at stride %d (%d of each)",
                    n, n, projections, pixels, patch, patch, stride, side * side * n));
            baselines(swd, patch, codes, gaussianSamples, imle);
        }
    }

    /** A row of the baselines table: its title, its metrics' key, its images. */
    private record Baseline(String title, String key, NDArray images) {
    }

    /**
     * The reference's baselines (its FID test): training images, reconstructions of training images, Gaussian and
     * IMLE samples, as many of each as there are held-out images (or training images, where fewer), each scored
     * against the held-out images by sliced Wasserstein distance and by the Fréchet distance in the feature space
     * of {@code featureLoss}; a table, and metrics {@code baseline.KEY.swdImages|swdPatches|featureFd}.
     */
    private void baselines(SlicedScores swd, int patch, NDArray codes, NDArray gaussianSamples,
                           Optional<ImleSampler> imle) {
        int k = Math.min(data.trainCount(), data.heldOutCount());
        if (k < 2) {
            details.put("baselines", "none: they need two held-out and two training images or more");
            return;
        }
        NDArray reference = data.heldOut().get("0:" + k);
        LossSpec featureSpec = params.get(GenerativeExperiment.FEATURE_LOSS);
        FeatureMap featureMap = ctx.loss(featureSpec).featureMap().orElseThrow(() -> new PlabException(
                "'featureLoss' " + featureSpec + " has no exact feature map; name one that has (vgg or alexnet with"
                + " metric l2, l2, ...)"));
        float[][] heldOutFeatures = features(featureMap, reference);
        List<Baseline> sets = new ArrayList<>(List.of(
                new Baseline("training images", "training", data.train().get("0:" + k)),
                new Baseline("reconstructions", "reconstructions", decode(codes.get("0:" + k))),
                new Baseline("Gaussian samples", "gaussian", gaussianSamples.get("0:" + k))));
        imle.ifPresent(sampler -> sets.add(new Baseline("IMLE samples", "imle",
                decode(sampler.sample(new Draws(ctx.seed() + IMLE_SAMPLE_SEED), k, manager)))));
        List<List<Object>> rows = new ArrayList<>();
        for (Baseline set : sets) {
            double[] sliced = swd.of(set.images(), reference);
            double fd = FrechetDistance.betweenFeatures(features(featureMap, set.images()), heldOutFeatures);
            rows.add(List.of(set.title(), sliced[0], sliced[1], fd));
            result.metric("baseline." + set.key() + ".swdImages", Metric.value(sliced[0], Better.LOWER))
                    .metric("baseline." + set.key() + ".swdPatches", Metric.value(sliced[1], Better.LOWER))
                    .metric("baseline." + set.key() + ".featureFd", Metric.value(fd, Better.LOWER));
        }
        String fdColumn = "FD in " + featureSpec.id() + " features";
        result.table(new Table("baselines against " + k + " held-out images", List.of("images", "SWD (whole images)",
                "SWD (" + patch + "x" + patch + " patches)", fdColumn), rows));
        details.put("baselines", String.format(Locale.ROOT, "%d of each set against the first %d held-out images:"
                + " training images, reconstructions of training images (their learnt codes), samples of the Gaussian"
                + " and of the IMLE sampler; '%s' is the Fréchet distance between Gaussians fitted to the exact"
                + " features of %s (not Inception's: not FID)", k, k, fdColumn, featureSpec));
    }

    /** The feature-space rows of images, as the loss sees them (grey repeated to RGB). */
    private float[][] features(FeatureMap featureMap, NDArray images) {
        NDArray features = batched(images, (batch, from) -> featureMap.features(lossView.apply(batch)));
        int n = (int) features.getShape().get(0);
        int d = (int) (features.getShape().size() / n);
        float[] flat = features.toFloatArray();
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
        }
        return out;
    }

    /**
     * The fixed training images and their reconstructions after the last epoch, four to a row (the report
     * sets the losses' side by side), and after each epoch the state folder holds.
     */
    private void epochFigures(Path out) {
        int epochs = settings.epochs();
        List<Integer> shown = new ArrayList<>();
        for (int i = 0; i < Math.min(epochs, MAX_EPOCH_ROWS); i++) {
            int epoch = epochs <= MAX_EPOCH_ROWS ? i + 1 : (int) Math.round((i + 1) * (double) epochs / MAX_EPOCH_ROWS);
            shown.add(epoch);
        }
        NDArray fixed = data.train().get("0:" + Math.min(params.get(GenerativeExperiment.FIXED_IMAGES),
                data.trainCount()));
        write(Figures.grid(rowsOf("", fixed, List.of(), SIDE_BY_SIDE_PER_ROW), cell()), "training images",
                "training.png");
        // Whether the model learnt the images at all, whatever the loss: after the first epoch and the last, in
        // pixels, and in structure (blind to each image's brightness and contrast, as some losses are by design).
        try (NDManager scope = manager.newSubManager()) {
            Optional<NDArray> first = ctx.state().find(Trainer.reconstructionsFile(1))
                    .map(file -> NumpyArrays.readNpy(scope, file));
            Optional<NDArray> last = epochs == 1 ? first : ctx.state().find(Trainer.reconstructionsFile(epochs))
                    .map(file -> NumpyArrays.readNpy(scope, file));
            last.ifPresent(pictures -> write(Figures.grid(rowsOf("", pictures, List.of(), SIDE_BY_SIDE_PER_ROW),
                    cell()), "reconstructions", "reconstructions-last.png"));
            first.ifPresent(pictures -> reconstructionMetrics("First", pictures, fixed));
            last.ifPresent(pictures -> reconstructionMetrics("", pictures, fixed));
        }
        details.put("reconstructionMetrics", "of the first " + fixed.getShape().get(0) + " training images after the"
                + " first and the last epoch: reconstructionL2 is the mean squared pixel difference (pixels in [-1,"
                + " 1]);"
                + " reconstructionStructure is 1 - the Pearson correlation of each reconstruction with its image"
                + " (0: the same up to brightness and contrast; 1: unrelated), averaged");
        List<Figures.Row> rows = new ArrayList<>(rowsOf("training images", fixed, List.of()));
        for (int epoch : shown) {
            ctx.state().find(Trainer.reconstructionsFile(epoch)).ifPresent(file -> {
                NDArray pictures = NumpyArrays.readNpy(manager, file);
                rows.addAll(rowsOf("epoch " + epoch, pictures, List.of()));
            });
        }
        write(Figures.grid(rows, cell()), "reconstructions per epoch", "reconstructions.png");
    }

    private void reconstructionMetrics(String suffix, NDArray pictures, NDArray fixed) {
        result.metric("reconstructionL2" + suffix, Metric.distance(pictures.sub(fixed).square().mean().getFloat(),
                Better.LOWER));
        result.metric("reconstructionStructure" + suffix, Metric.distance(structureError(pictures, fixed),
                Better.LOWER));
    }

    /** Mean over images of 1 - Pearson correlation of their pixels; a constant picture correlates 0. */
    static double structureError(NDArray pictures, NDArray images) {
        long n = pictures.getShape().get(0);
        NDArray a = pictures.reshape(n, -1).toType(DataType.FLOAT64, false);
        NDArray b = images.reshape(n, -1).toType(DataType.FLOAT64, false);
        a = a.sub(a.mean(new int[] {1}, true));
        b = b.sub(b.mean(new int[] {1}, true));
        double[] dot = a.mul(b).sum(new int[] {1}).toDoubleArray();
        double[] aa = a.square().sum(new int[] {1}).toDoubleArray();
        double[] bb = b.square().sum(new int[] {1}).toDoubleArray();
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double norm = Math.sqrt(aa[i] * bb[i]);
            sum += 1 - (norm > 1e-12 ? dot[i] / norm : 0);
        }
        return sum / n;
    }

    private void neighbours(NDArray samples) {
        NDArray train = data.train();
        try (NDManager scope = manager.newSubManager()) {
            NDArray a = SlicedWasserstein.imageRows(samples);
            NDArray b = SlicedWasserstein.imageRows(train);
            scope.tempAttachAll(a, b);
            long pixels = a.getShape().get(1);
            // |a - b|^2 = |a|^2 + |b|^2 - 2 a.b, per pixel
            NDArray d = a.square().sum(new int[] {1}, true).add(b.square().sum(new int[] {1}).reshape(1, -1))
                    .sub(a.matMul(b.transpose()).muli(2)).divi(pixels);
            long[] nearest = d.argMin(1).toLongArray();
            double[] distances = d.min(new int[] {1}).toType(DataType.FLOAT64, false).toDoubleArray();
            NDArray picked = train.get(scope.create(nearest));
            picked.attach(scope);
            List<String> captions = new ArrayList<>();
            for (int i = 0; i < nearest.length; i++) {
                captions.add(String.format(Locale.ROOT, "#%d l2 %.3f", data.trainSources()[(int) nearest[i]],
                        distances[i]));
            }
            List<Figures.Row> rows = new ArrayList<>();
            for (int from = 0; from < nearest.length; from += SAMPLES_PER_ROW) {
                int to = Math.min(nearest.length, from + SAMPLES_PER_ROW);
                rows.addAll(rowsOf(from == 0 ? "samples" : "", samples.get(from + ":" + to), List.of()));
                rows.addAll(rowsOf(from == 0 ? "their nearest training images (pixel l2)" : "",
                        picked.get(from + ":" + to), captions.subList(from, to)));
            }
            write(Figures.grid(rows, cell()), "nearest training images", "neighbours.png");
        }
    }

    private void interpolations(NDArray codes) {
        int pairs = params.get(GenerativeExperiment.INTERPOLATIONS);
        int n = data.trainCount();
        if (n < 2 || pairs == 0) {
            return;
        }
        Random random = new Random(ctx.seed() + INTERPOLATION_SEED);
        double[][] rows = rows(codes);
        List<Figures.Row> figure = new ArrayList<>();
        for (int pair = 0; pair < pairs; pair++) {
            int a = random.nextInt(n);
            int b = (a + 1 + random.nextInt(n - 1)) % n;
            NDArray pictures = decode(toCodes(linearPath(rows[a], rows[b])));
            figure.addAll(rowsOf("training images #" + data.trainSources()[a] + " to #" + data.trainSources()[b],
                    pictures, List.of()));
        }
        write(Figures.grid(figure, cell()), "interpolations", "interpolations.png");
        details.put("interpolations", "linear between the codes of two training images" + (settings.sphere()
                ? ", each point projected onto the unit sphere" : ""));
    }

    /** {@code interpolationSteps} points from a to b, evenly spaced, both ends included. */
    private double[][] linearPath(double[] a, double[] b) {
        int steps = params.get(GenerativeExperiment.INTERPOLATION_STEPS);
        double[][] path = new double[steps][a.length];
        for (int s = 0; s < steps; s++) {
            double t = s / (double) (steps - 1);
            for (int j = 0; j < a.length; j++) {
                path[s][j] = (1 - t) * a[j] + t * b[j];
            }
        }
        return path;
    }

    /** The IMLE sampler fitted to the codes (its own progress and checkpoints); empty when {@code imleEpochs} is 0. */
    private Optional<ImleSampler> fitImle(NDArray codes, Loss loss) throws IOException {
        ImleSampler.Schedule schedule = ImleSampler.Schedule.of(params);
        if (schedule.epochs() == 0) {
            details.put("imle", "none: 'imleEpochs' is 0");
            return Optional.empty();
        }
        ImleSampler sampler;
        try (Progress progress = ctx.progress("imle " + loss.spec().id(), schedule.epochs())) {
            sampler = ImleSampler.fit(codes, schedule, settings.init(), ctx.seed() + IMLE_SEED, ctx.state(), progress,
                    manager);
        }
        details.put("imle", String.format(Locale.ROOT, "the reference's IMLE sampler: a mapping from %d-dimensional"
                + " standard normal noise through 128, 128 to the codes (batch norm and ReLU), fitted to the %d codes"
                + " (centred and divided by their root-mean-square spread, its outputs mapped back)"
                + " by implicit maximum likelihood, %d epochs of batches of %d, Adam lr %.3g (betas 0.5, 0.999,"
                + " weight decay 1e-5); sampled with batch norm in evaluation mode", schedule.noise(),
                codes.getShape().get(0), schedule.epochs(), schedule.batch(), schedule.lr()));
        return Optional.of(sampler);
    }

    /** IMLE samples, and interpolations between noise vectors (in the IMLE input space, as the reference). */
    private void imleFigures(ImleSampler imle, int shown) {
        NDArray samples = decode(imle.sample(new Draws(ctx.seed() + IMLE_SAMPLE_SEED), shown, manager));
        write(Figures.grid(rowsOf("", samples, List.of()), cell()), "IMLE samples", "imle-samples.png");
        int pairs = params.get(GenerativeExperiment.INTERPOLATIONS);
        if (pairs == 0) {
            return;
        }
        Draws draws = new Draws(ctx.seed() + IMLE_INTERPOLATION_SEED);
        List<Figures.Row> figure = new ArrayList<>();
        for (int pair = 0; pair < pairs; pair++) {
            double[][] ends = rows(draws.normal(manager, new Shape(2, imle.noise())));
            NDArray pictures = decode(imle.map(toArray(linearPath(ends[0], ends[1]))));
            figure.addAll(rowsOf(pair == 0 ? "between noise vectors of the IMLE mapping" : "", pictures, List.of()));
        }
        write(Figures.grid(figure, cell()), "IMLE interpolations", "imle-interpolations.png");
    }

    /** Codes as a float32 array, on the unit sphere when the model keeps them there. */
    private NDArray toCodes(double[][] rows) {
        if (settings.sphere()) {
            for (double[] row : rows) {
                double norm = Math.sqrt(Arrays.stream(row).map(v -> v * v).sum());
                for (int j = 0; j < row.length; j++) {
                    row[j] /= norm;
                }
            }
        }
        return toArray(rows);
    }

    /** Rows as a float32 array in the evaluation's manager. */
    private NDArray toArray(double[][] rows) {
        int d = rows[0].length;
        float[] flat = new float[rows.length * d];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < d; j++) {
                flat[i * d + j] = (float) rows[i][j];
            }
        }
        return Ops.owned(manager.create(flat, new Shape(rows.length, d)));
    }

    /** Images of codes, generator in evaluation mode. */
    private NDArray decode(NDArray codes) {
        return batched(codes, (batch, from) -> model.generator().forward(batch, false));
    }

    @FunctionalInterface
    private interface BatchFunction {
        NDArray apply(NDArray batch, int from);
    }

    /** f over batches of the rows of x, concatenated, in the evaluation's manager. */
    private NDArray batched(NDArray x, BatchFunction f) {
        int n = (int) x.getShape().get(0);
        NDList parts = new NDList();
        try (NDManager scope = manager.newSubManager()) {
            for (int from = 0; from < n; from += settings.batch()) {
                NDArray batch = x.get(from + ":" + Math.min(n, from + settings.batch()));
                batch.attach(scope);
                NDArray part = f.apply(batch, from);
                part.attach(scope);
                parts.add(part);
            }
            NDArray all = NDArrays.concat(parts, 0);
            all.attach(manager);
            return all;
        }
    }

    private static double[][] rows(NDArray codes) {
        int n = (int) codes.getShape().get(0);
        int d = (int) codes.getShape().get(1);
        double[] flat = codes.toType(DataType.FLOAT64, false).toDoubleArray();
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return out;
    }

    private static List<Figures.Row> rowsOf(String title, NDArray images, List<String> captions) {
        return rowsOf(title, images, captions, SAMPLES_PER_ROW);
    }

    private static List<Figures.Row> rowsOf(String title, NDArray images, List<String> captions, int perRow) {
        List<Figures.Cell> cells = new ArrayList<>();
        int n = (int) images.getShape().get(0);
        for (int i = 0; i < n; i++) {
            cells.add(new Figures.Cell(Images.fromTensor(images.get(i)), captions.isEmpty() ? "" : captions.get(i)));
        }
        List<Figures.Row> rows = new ArrayList<>();
        for (int from = 0; from < n; from += perRow) {
            rows.add(new Figures.Row(from == 0 ? title : "", cells.subList(from, Math.min(n, from + perRow))));
        }
        return rows;
    }

    private int cell() {
        return Math.max(64, settings.size());
    }

    private void write(BufferedImage figure, String caption, String file) {
        Images.writePng(figure, ctx.outputDir().resolve(file));
        result.image(caption, file);
    }
}
