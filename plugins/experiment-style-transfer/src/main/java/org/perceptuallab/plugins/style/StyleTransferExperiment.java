package org.perceptuallab.plugins.style;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.ExperimentContext;
import org.perceptuallab.api.ExperimentResult;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Metric;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.Progress;
import org.perceptuallab.kit.io.Figures;
import org.perceptuallab.kit.io.Images;
import org.perceptuallab.kit.io.SyntheticImages;
import org.perceptuallab.kit.optim.PixelOptimiser;
import org.perceptuallab.kit.optim.StepDecay;
import org.perceptuallab.kit.tensor.Draws;
import org.perceptuallab.kit.tensor.Ops;
import org.pf4j.Extension;

/**
 * Gatys' style transfer with the loss under study as the style loss: x minimises
 * styleWeight * D_style(x, style) + contentWeight * D_content(x, content) + tvWeight * TV(x) by Adam on its
 * pixels, from the
 * content image (or noise), for every (content, style) pair. The api's losses take x and y of one shape
 * (the catalogue's input checks), so content and style are both taken at {@code size} x {@code size}; styles at
 * their own size wait for api 1.0.
 */
@Extension
public final class StyleTransferExperiment implements Experiment {
    /** Gatys' content loss: VGG16 conv3_3 features, mean squared difference. */
    private static final LossSpec DEFAULT_CONTENT = new LossSpec("vgg", JsonNodeFactory.instance.objectNode()
            .put("metric", "l2").set("layers", JsonNodeFactory.instance.objectNode().put("conv3_3", 1.0)));
    /** Smallest side of a grid picture, pixels: small images are enlarged so that captions fit. */
    private static final int GRID_CELL = 128;
    /** The content loss id that means "no content term". */
    private static final String NO_CONTENT = "none";

    private static final Param<String> CONTENTS = Param.string("contents", null,
            "content images, comma-separated paths (relative to the matrix file)")
            .required();
    private static final Param<String> STYLES = Param.string("styles", null,
            "style images, comma-separated paths (relative to the matrix file)")
            .required();
    private static final Param<Integer> SIZE = Param.integer("size", 128, 16, 4096,
            "contents and styles are resized (shorter side) and centre-cropped"
            + " to size x size (the reference: 512)");
    private static final Param<String> START = Param.choice("start", "content", List.of("content", "noise"),
            "x starts at the content image, or at"
            + " uniform noise in [-1, 1] drawn from the run's seed");
    private static final Param<Integer> STEPS = Param.integer("steps", 600, 1, 1_000_000, "Adam steps per pair");
    private static final Param<Double> LR = Param.real("lr", 0.05, 1e-6, 10, "Adam learning rate");
    private static final Param<Double> LR_DECAY = Param.real("lrDecay", 0.9, 0.01, 1,
            "learning-rate factor applied every lrEvery steps");
    private static final Param<Integer> LR_EVERY = Param.integer("lrEvery", 50, 1, 1_000_000,
            "steps between learning-rate decays");
    private static final Param<Double> STYLE_WEIGHT = Param.real("styleWeight", 30, 0, 1e12,
            "weight of the style distance (the loss under study)");
    private static final Param<Double> CONTENT_WEIGHT = Param.real("contentWeight", 1, 0, 1e12,
            "weight of the content distance; 0: no content term");
    private static final Param<LossSpec> CONTENT = Param.configuredLoss("content", DEFAULT_CONTENT,
            "content loss, any loss spec; {\"loss\": \"none\"}: no content term");
    /** Optional with no default (absent: 0, no TV term), so that existing cells keep their keys. */
    private static final Param<Double> TV_WEIGHT = Param.optionalReal("tvWeight", 0, 1e12,
            "weight of the total variation of x, mean |horizontal differences| + mean |vertical differences|"
            + " (the study's calc_TV_Loss); absent: 0");
    private static final ParamSpec PARAMS = ParamSpec.of(CONTENTS, STYLES, SIZE, START, STEPS, LR, LR_DECAY, LR_EVERY,
            STYLE_WEIGHT, CONTENT_WEIGHT, CONTENT, TV_WEIGHT);

    @Override
    public String id() {
        return "style-transfer";
    }

    @Override
    public String summary() {
        return "style transfer by image optimisation: styleWeight * D(x, style) + contentWeight * D_content(x, content)"
                + " + tvWeight * TV(x)";
    }

    /** One generated 16-pixel content and style, three Adam steps, no content term (it would need VGG). */
    @Override
    public Optional<ObjectNode> tinyRun(Path folder) {
        SyntheticImages.write(folder.resolve("content.png"), 16, 0);
        SyntheticImages.write(folder.resolve("style.png"), 16, 1);
        ObjectNode params = JsonNodeFactory.instance.objectNode().put("contents", "content.png")
                .put("styles", "style.png").put("size", 16).put("steps", 3);
        params.putObject("content").put("loss", NO_CONTENT);
        return Optional.of(params);
    }

    @Override
    public ParamSpec params() {
        return PARAMS;
    }

    @Override
    public ExperimentResult run(Params p, Loss loss, ExperimentContext ctx) {
        int size = p.get(SIZE);
        List<NamedImage> contents = images(p, ctx, CONTENTS, size);
        List<NamedImage> styles = images(p, ctx, STYLES, size);
        NDManager cell = ctx.manager();
        Optional<String> noGram = GramPictures.unavailable(loss);
        Loss content = contentLoss(p, ctx);
        try (Progress progress = ctx.progress("style-transfer " + loss.spec().id(),
                     (long) p.get(STEPS) * contents.size() * styles.size())) {
            List<Pair> pairs = new ArrayList<>();
            for (NamedImage c : contents) {
                for (NamedImage s : styles) {
                    pairs.add(transfer(p, loss, content, c, s, ctx, progress));
                }
            }
            return result(p, ctx, loss, contents, styles, pairs, noGram);
        }
    }

    /** The content loss of the cell (owned by the cell), or null for none. */
    private static Loss contentLoss(Params p, ExperimentContext ctx) {
        LossSpec spec = p.get(CONTENT);
        if (p.get(CONTENT_WEIGHT) == 0 || NO_CONTENT.equals(spec.id())) {
            return null;
        }
        return ctx.loss(spec);
    }

    /**
     * One content and one style, and what came of them; contentEnd (the result's content distance) and
     * contentOfStyle (the style image's own: what losing every trace of the content costs) are NaN without a
     * content term.
     */
    record Pair(NamedImage content, NamedImage style, BufferedImage result, double styleStart, double styleEnd,
                double contentEnd, double contentOfStyle, double secondsPerStep, List<Double> curve) {
        String label() {
            return content.name() + " x " + style.name();
        }
    }

    private static Pair transfer(Params p, Loss styleLoss, Loss contentLoss, NamedImage content, NamedImage style,
                                 ExperimentContext ctx, Progress progress) {
        double styleWeight = p.get(STYLE_WEIGHT);
        double contentWeight = p.get(CONTENT_WEIGHT);
        double tvWeight = p.find(TV_WEIGHT).orElse(0.0);
        try (NDManager pair = ctx.manager().newSubManager()) {
            NDArray c = Images.toTensor(pair, content.image(), 3);
            NDArray s = Images.toTensor(pair, style.image(), 3);
            NDArray x = "noise".equals(p.get(START))
                    ? new Draws(ctx.seed()).uniform(pair, c.getShape(), -1, 1)
                    : c.duplicate();
            double styleStart = value(styleLoss, x, s);
            List<Double> curve = new ArrayList<>();
            long started = System.nanoTime();
            PixelOptimiser.minimise(x, image -> {
                NDArray total = Ops.times(styleLoss.distance(image, s), styleWeight);
                if (contentLoss != null) {
                    total = total.add(Ops.times(contentLoss.distance(image, c), contentWeight));
                }
                if (tvWeight > 0) {
                    total = total.add(Ops.times(totalVariation(image), tvWeight));
                }
                return total.sum();
            }, new StepDecay(p.get(LR), p.get(LR_DECAY), p.get(LR_EVERY)), p.get(STEPS),
                    "style-transfer of " + content.name() + " to " + style.name() + " under loss '"
                            + styleLoss.spec() + "'", (step, total) -> {
                        curve.add(total);
                        progress.step(1);
                        if (step % 20 == 0) {
                            progress.status(String.format(Locale.ROOT, "%.4g", total));
                        }
                    });
            double secondsPerStep = (System.nanoTime() - started) / 1e9 / p.get(STEPS);
            return new Pair(content, style, Images.fromTensor(x), styleStart, value(styleLoss, x, s),
                    contentLoss == null ? Double.NaN : value(contentLoss, x, c),
                    contentLoss == null ? Double.NaN : value(contentLoss, s, c), secondsPerStep, curve);
        }
    }

    /**
     * The study's total variation (style_transfer/utils.py, calc_TV_Loss) per image: mean |x[i, j] - x[i, j+1]|
     * + mean |x[i, j] - x[i+1, j]| over channels and positions, (N).
     */
    static NDArray totalVariation(NDArray x) {
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        NDArray horizontal = Ops.slice(x, 3, 0, w - 1).sub(Ops.slice(x, 3, 1, w));
        NDArray vertical = Ops.slice(x, 2, 0, h - 1).sub(Ops.slice(x, 2, 1, h));
        return Ops.meanPerSample(horizontal.abs()).add(Ops.meanPerSample(vertical.abs()));
    }

    /** D(x, y) of one pair, without a gradient. */
    private static double value(Loss loss, NDArray x, NDArray y) {
        try (NDManager scope = x.getManager().newSubManager()) {
            NDArray image = x.duplicate();
            image.attach(scope);
            return loss.distance(image, y).toType(DataType.FLOAT64, false).getDouble();
        }
    }

    private static ExperimentResult result(Params p, ExperimentContext ctx, Loss loss, List<NamedImage> contents,
                                           List<NamedImage> styles, List<Pair> pairs, Optional<String> noGram) {
        Path out = ctx.outputDir();
        boolean onePair = pairs.size() == 1;
        Map<String, Metric> metrics = new LinkedHashMap<>();
        Map<String, String> files = new LinkedHashMap<>();
        // The inputs first, as pictures of their own: the same in every loss's cell, the report shows them once.
        inputs(out, "content", contents, files);
        inputs(out, "style", styles, files);
        Map<String, List<Double>> curves = new LinkedHashMap<>();
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        // Ratios are dimensionless, so losses compare on them (the headline); several pairs by their geometric mean.
        if (!onePair) {
            metrics.put("styleRatio", Metric.value(Math.exp(pairs.stream()
                    .mapToDouble(pair -> Math.log(pair.styleEnd() / pair.styleStart())).average().orElseThrow()),
                    Metric.Better.LOWER));
        }
        ArrayNode pairDetails = details.putArray("pairs");
        List<List<Figures.Cell>> results = new ArrayList<>();
        for (int i = 0; i < contents.size(); i++) {
            List<Figures.Cell> row = new ArrayList<>();
            for (int j = 0; j < styles.size(); j++) {
                Pair pair = pairs.get(i * styles.size() + j);
                String suffix = onePair ? "" : " (" + pair.label() + ")";
                metrics.put("styleStart" + suffix, Metric.distance(pair.styleStart(), Metric.Better.NEITHER));
                metrics.put("styleEnd" + suffix, Metric.distance(pair.styleEnd(), Metric.Better.LOWER));
                metrics.put("styleRatio" + suffix, Metric.value(pair.styleEnd() / pair.styleStart(), Metric.Better.LOWER));
                metrics.put("secondsPerStep" + suffix, Metric.seconds(pair.secondsPerStep()));
                curves.put("loss" + suffix, pair.curve());
                String file = "result-" + (i + 1) + "-" + (j + 1) + ".png";
                Images.writePng(pair.result(), out.resolve(file));
                files.put("result" + suffix, file);
                row.add(new Figures.Cell(pair.result(), String.format(Locale.ROOT, "style x%.3g",
                        pair.styleEnd() / pair.styleStart())));
                ObjectNode figures = pairDetails.addObject().put("content", pair.content().path())
                        .put("style", pair.style().path()).put("styleStart", pair.styleStart())
                        .put("styleEnd", pair.styleEnd()).put("secondsPerStep", pair.secondsPerStep());
                if (!Double.isNaN(pair.contentEnd())) {
                    metrics.put("contentEnd" + suffix, Metric.distance(pair.contentEnd(), Metric.Better.LOWER));
                    if (pair.contentOfStyle() > 0) { // a style image equal to the content has no content to lose
                        metrics.put("contentKept" + suffix, Metric.fraction(1 - pair.contentEnd() / pair.contentOfStyle(),
                                Metric.Better.HIGHER));
                    }
                    figures.put("contentEnd", pair.contentEnd()).put("contentOfStyle", pair.contentOfStyle());
                }
            }
            results.add(row);
        }
        Images.writePng(Figures.grid(StyleGrid.rows(cells(contents), cells(styles), results),
                Math.max(GRID_CELL, p.get(SIZE))), out.resolve("grid.png"));
        files.put("grid", "grid.png");
        if (noGram.isPresent()) {
            details.put("gramMatrices", "none drawn: " + noGram.get());
        } else {
            gramPictures(ctx, loss, styles, files);
        }
        details.put("size", p.get(SIZE));
        p.find(TV_WEIGHT).ifPresent(weight -> details.put("tvWeight", weight));
        details.put("sizeNote", "content and style both at size x size: the api's losses take inputs of one shape");
        return new ExperimentResult(metrics, "styleRatio", files, curves, List.of(), details, false);
    }

    private static void gramPictures(ExperimentContext ctx, Loss loss, List<NamedImage> styles,
                                     Map<String, String> files) {
        for (int j = 0; j < styles.size(); j++) {
            NamedImage style = styles.get(j);
            String suffix = styles.size() == 1 ? "" : " (" + style.name() + ")";
            try (NDManager scope = ctx.manager().newSubManager()) {
                Map<String, BufferedImage> grams = GramPictures.of(loss, Images.toTensor(scope, style.image(), 3));
                for (Map.Entry<String, BufferedImage> layer : grams.entrySet()) {
                    String file = "gram-" + (j + 1) + "-" + layer.getKey() + ".png";
                    Images.writePng(layer.getValue(), ctx.outputDir().resolve(file));
                    files.put("gram " + layer.getKey() + suffix, file);
                }
            }
        }
    }

    private static void inputs(Path out, String kind, List<NamedImage> images, Map<String, String> files) {
        for (int i = 0; i < images.size(); i++) {
            String file = kind + "-" + (i + 1) + ".png";
            Images.writePng(images.get(i).image(), out.resolve(file));
            files.put(images.size() == 1 ? kind : kind + " (" + images.get(i).name() + ")", file);
        }
    }

    private static List<Figures.Cell> cells(List<NamedImage> images) {
        return images.stream().map(i -> new Figures.Cell(i.image(), i.name())).toList();
    }

    /** An input image at the cell's size, with the name a person knows it by (its file's stem). */
    record NamedImage(String name, String path, BufferedImage image) {
    }

    /** The images listed in {@code param}, read and made size x size. */
    private static List<NamedImage> images(Params p, ExperimentContext ctx, Param<String> param, int size) {
        String name = param.name();
        String list = p.get(param);
        if (list.isBlank()) {
            throw new PlabException("experiment 'style-transfer': parameter '" + name + "' is empty: give "
                    + "comma-separated image paths, e.g. " + name + ": \"a.png, b.jpg\"");
        }
        List<NamedImage> out = new ArrayList<>();
        for (String entry : list.split(",", -1)) {
            String path = entry.trim();
            if (path.isEmpty()) {
                throw new PlabException("experiment 'style-transfer': parameter '" + name + "' has an empty entry"
                        + " in '" + list + "'; separate paths by single commas");
            }
            Path file = ctx.resolve(path);
            String stem = file.getFileName().toString().replaceFirst("\\.[^.]+$", "");
            out.add(new NamedImage(stem, path, Images.centreSquare(Images.read(file), size)));
        }
        return out;
    }
}
