package org.perceptuallab.plugins.imagemean;

import org.perceptuallab.kit.io.SyntheticImages;
import java.util.Optional;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.ExperimentContext;
import org.perceptuallab.api.ExperimentResult;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.Metric;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.Progress;
import org.perceptuallab.kit.io.Figures;
import org.perceptuallab.kit.io.Images;
import org.perceptuallab.kit.optim.PixelOptimiser;
import org.perceptuallab.kit.optim.StepDecay;
import org.pf4j.Extension;

/**
 * The generalised image mean: the image m minimising mean_i D(m, T_i) over similar targets T_i, by Adam
 * on the pixels from a chosen start, optionally coarse to fine over a pyramid. Under l2 it is the pixel
 * mean; a perceptual loss should give a sharper, still representative image.
 */
@Extension
public final class ImageMeanExperiment implements Experiment {
    private static final Param<String> DATA = Param.string("data", null,
            "a folder of similar images, or one image to cut jittered crops from (relative to the matrix file)")
            .required();
    private static final Param<Integer> SIZE = Param.integer("size", 64, 8, 1024, "side of the square images, pixels");
    private static final Param<Integer> CROPS = Param.integer("crops", 8, 2, 256,
            "number of jittered crops when data is one image");
    private static final Param<Integer> JITTER = Param.integer("jitter", 6, 0, 256,
            "largest crop offset from the centre, pixels (crops mode)");
    private static final Param<Integer> MAX_IMAGES = Param.integer("maxImages", 10, 2, 10000,
            "most images read from a data folder (by name)");
    private static final Param<Boolean> GRAY = Param.bool("gray", false, "read the images as one grey channel");
    private static final Param<String> START_MODE = Param.string("startMode", "mean",
            "start image: mean, gray, zeros, split, blur, noise, joined"
            + " by '+' (e.g. mean+noise)");
    private static final Param<Integer> STEPS = Param.integer("steps", 400, 1, 1_000_000, "Adam steps (single-scale)");
    private static final Param<Double> LR = Param.real("lr", 0.003, 1e-6, 10, "Adam learning rate (single-scale)");
    private static final Param<Double> LR_DECAY = Param.real("lrDecay", 0.9, 0.01, 1,
            "learning-rate factor applied every lrEvery steps");
    private static final Param<Integer> LR_EVERY = Param.integer("lrEvery", 1000, 1, 1_000_000,
            "steps between learning-rate decays");
    private static final Param<Boolean> MULTI_SCALE = Param.bool("multiScale", false,
            "optimise coarse to fine over a pyramid");
    private static final Param<Integer> LEVELS = Param.integer("levels", 3, 1, 8,
            "pyramid levels (multi-scale); level k is scaled by"
            + " scaleFactor^k, the finest is full size");
    private static final Param<Double> SCALE_FACTOR = Param.real("scaleFactor", 0.69, 0.1, 0.99,
            "downscale between pyramid levels");
    private static final Param<Integer> LEVEL_STEPS = Param.integer("levelSteps", 1000, 1, 1_000_000,
            "Adam steps per pyramid level");
    private static final Param<Double> LEVEL_LR = Param.real("levelLr", 0.005, 1e-6, 10,
            "learning rate of the coarsest level; x lrDecay per level");
    private static final Param<Double> BLUR_SIGMA = Param.real("blurSigma", 2.0, 0.1, 50,
            "Gaussian sigma of the 'blur' start, pixels");
    private static final Param<Double> NOISE_SIGMA = Param.real("noiseSigma", 0.15, 0, 2,
            "standard deviation of the 'noise' start");
    private static final ParamSpec PARAMS = ParamSpec.of(DATA, SIZE, CROPS, JITTER, MAX_IMAGES, GRAY, START_MODE, STEPS,
            LR, LR_DECAY, LR_EVERY, MULTI_SCALE, LEVELS, SCALE_FACTOR, LEVEL_STEPS, LEVEL_LR, BLUR_SIGMA, NOISE_SIGMA);

    @Override
    public String id() {
        return "image-mean";
    }

    @Override
    public String summary() {
        return "generalised image mean: the image closest on average to a set of similar images";
    }

    /** Three jittered 16-pixel crops of one generated image, five Adam steps. */
    @Override
    public Optional<ObjectNode> tinyRun(Path folder) {
        SyntheticImages.write(folder.resolve("image.png"), 24, 0);
        return Optional.of(JsonNodeFactory.instance.objectNode().put("data", "image.png").put("size", 16)
                .put("crops", 3).put("jitter", 2).put("steps", 5));
    }

    @Override
    public ParamSpec params() {
        return PARAMS;
    }

    @Override
    public ExperimentResult run(Params p, Loss loss, ExperimentContext ctx) {
        StartImage.check(p.get(START_MODE));
        int size = p.get(SIZE);
        int channels = p.get(GRAY) ? 1 : 3;
        List<BufferedImage> images = Targets.load(ctx.resolve(p.get(DATA)), size, p.get(CROPS),
                p.get(JITTER), p.get(MAX_IMAGES), ctx.seed());
        String lossName = loss.spec().toString();
        NDManager m = ctx.manager();
        long started = System.nanoTime();

        List<Integer> sizes = levelSizes(p, size);
        List<Double> curve = new ArrayList<>();
        Planes start = null;
        Planes current = null;
        double startDistance = Double.NaN;
        try (Progress progress = ctx.progress("image-mean " + loss.spec().id(), totalSteps(p))) {
            for (int level = 0; level < sizes.size(); level++) {
                int s = sizes.get(level);
                List<Planes> targets = planes(m, images, s, channels);
                Planes levelStart = current == null
                        ? StartImage.build(p.get(START_MODE), targets, p.get(BLUR_SIGMA),
                                p.get(NOISE_SIGMA), ctx.seed())
                        : current.resize(s, s);
                if (start == null) {
                    start = levelStart;
                }
                boolean multi = p.get(MULTI_SCALE);
                int steps = multi ? p.get(LEVEL_STEPS) : p.get(STEPS);
                double lr = multi ? p.get(LEVEL_LR) * Math.pow(p.get(LR_DECAY), level) : p.get(LR);
                int every = multi ? Integer.MAX_VALUE : p.get(LR_EVERY);
                current = optimise(loss, m, targets, levelStart, steps, lr, p.get(LR_DECAY), every,
                        progress, curve);
            }
            List<Planes> full = planes(m, images, size, channels);
            startDistance = meanDistance(loss, m, start.h() == size ? start : start.resize(size, size), full);
            double endDistance = meanDistance(loss, m, current, full);
            return result(p, ctx, lossName, images, full, start, current, startDistance, endDistance, curve,
                    (System.nanoTime() - started) / 1e9);
        }
    }

    private static long totalSteps(Params p) {
        return p.get(MULTI_SCALE) ? (long) p.get(LEVELS) * p.get(LEVEL_STEPS) : p.get(STEPS);
    }

    private static List<Integer> levelSizes(Params p, int size) {
        List<Integer> sizes = new ArrayList<>();
        int levels = p.get(MULTI_SCALE) ? p.get(LEVELS) : 1;
        for (int k = levels - 1; k >= 0; k--) {
            sizes.add(Math.max(8, (int) Math.round(size * Math.pow(p.get(SCALE_FACTOR), k))));
        }
        return sizes;
    }

    /** Adam on the pixels of {@code start}; appends the mean distance before each step to the curve. */
    private static Planes optimise(Loss loss, NDManager m, List<Planes> targets, Planes start, int steps,
                                   double lr, double decay, int every, Progress progress, List<Double> curve) {
        try (NDManager level = m.newSubManager()) {
            NDArray t = stack(level, targets);
            NDArray x = tensor(level, start);
            PixelOptimiser.minimise(x, image -> loss.distance(image.broadcast(t.getShape()), t).mean(),
                    new StepDecay(lr, decay, every), steps, "image-mean under loss '" + loss.spec() + "'",
                    (step, value) -> {
                        curve.add(value);
                        progress.step(1);
                        if (step % 20 == 0) {
                            progress.status(String.format(Locale.ROOT, "%.4g", value));
                        }
                    });
            return planes(x);
        }
    }

    private static double meanDistance(Loss loss, NDManager m, Planes image, List<Planes> targets) {
        try (NDManager scope = m.newSubManager()) {
            NDArray t = stack(scope, targets);
            NDArray x = tensor(scope, image);
            return loss.distance(x.broadcast(t.getShape()), t).mean().toType(DataType.FLOAT64, false).getDouble();
        }
    }

    private ExperimentResult result(Params p, ExperimentContext ctx, String lossName, List<BufferedImage> images,
                                    List<Planes> targets, Planes start, Planes end, double startDistance,
                                    double endDistance, List<Double> curve, double seconds) {
        Path out = ctx.outputDir();
        Planes pixelMean = StartImage.pixelMean(targets);
        try (NDManager scope = ctx.manager().newSubManager()) {
            BufferedImage startImage = Images.fromTensor(tensor(scope, start));
            BufferedImage endImage = Images.fromTensor(tensor(scope, end));
            Images.writePng(startImage, out.resolve("start.png"));
            Images.writePng(endImage, out.resolve("result.png"));
            List<Figures.Cell> targetCells = new ArrayList<>();
            for (int i = 0; i < targets.size(); i++) {
                targetCells.add(new Figures.Cell(Images.fromTensor(tensor(scope, targets.get(i))), "target " + (i + 1)));
            }
            Images.writePng(Figures.grid(List.of(new Figures.Row("targets", targetCells)), 96),
                    out.resolve("targets.png"));
            String title = String.format(Locale.ROOT, "%s: mean distance %.4g at start, %.4g at end", lossName,
                    startDistance, endDistance);
            BufferedImage figure = Figures.grid(List.of(new Figures.Row("targets", targetCells),
                    new Figures.Row(title, List.of(
                            new Figures.Cell(startImage, "start (" + p.get(START_MODE) + ")"),
                            new Figures.Cell(endImage, "result"),
                            new Figures.Cell(Images.fromTensor(tensor(scope, pixelMean)), "pixel mean")))), 128);
            Images.writePng(figure, out.resolve("figure.png"));
        }
        ExperimentResult.Builder result = ExperimentResult.builder()
                .metric("distanceStart", Metric.distance(startDistance, Metric.Better.NEITHER))
                .metric("distanceEnd", Metric.distance(endDistance, Metric.Better.LOWER))
                // distances of different losses are not comparable; how sharp the mean comes out is
                .headline("sharpness", Metric.value(end.meanGradientMagnitude(), Metric.Better.HIGHER))
                .metric("sharpnessPixelMean", Metric.value(pixelMean.meanGradientMagnitude(), Metric.Better.NEITHER))
                .metric("maxAbsToPixelMean", Metric.value(maxAbsDifference(end, pixelMean), Metric.Better.NEITHER))
                .metric("seconds", Metric.seconds(seconds))
                .image("result", "result.png")
                .image("start", "start.png")
                .image("figure", "figure.png")
                .image("targets", "targets.png")
                .curve("loss", curve);
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        details.put("targets", targets.size());
        details.put("imageSize", end.h());
        details.put("channels", end.c());
        details.put("steps", curve.size());
        details.put("sharpnessHelp", "mean gradient magnitude sqrt(dx^2+dy^2) of the result, pixel units of [-1,1]");
        return result.details(details).build();
    }

    private static double maxAbsDifference(Planes a, Planes b) {
        double max = 0;
        for (int i = 0; i < a.v().length; i++) {
            max = Math.max(max, Math.abs(a.v()[i] - b.v()[i]));
        }
        return max;
    }

    private static List<Planes> planes(NDManager m, List<BufferedImage> images, int size, int channels) {
        List<Planes> out = new ArrayList<>();
        try (NDManager scope = m.newSubManager()) {
            for (BufferedImage img : images) {
                out.add(planes(Images.toTensor(scope, Images.resize(img, size, size), channels)));
            }
        }
        return out;
    }

    private static Planes planes(NDArray t) {
        Shape s = t.getShape();
        int n = s.dimension();
        return new Planes((int) s.get(n - 3), (int) s.get(n - 2), (int) s.get(n - 1),
                t.toType(DataType.FLOAT32, false).toFloatArray());
    }

    private static NDArray tensor(NDManager m, Planes p) {
        return m.create(p.v(), new Shape(1, p.c(), p.h(), p.w()));
    }

    private static NDArray stack(NDManager m, List<Planes> targets) {
        NDList list = new NDList();
        for (Planes t : targets) {
            list.add(tensor(m, t));
        }
        return NDArrays.concat(list, 0);
    }
}
