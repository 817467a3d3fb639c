package org.perceptuallab.plugins.mos;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.ExperimentContext;
import org.perceptuallab.api.ExperimentResult;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.Metric;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.PreparationContext;
import org.perceptuallab.api.Progress;
import org.perceptuallab.api.Table;
import org.perceptuallab.kit.OneDraw;
import org.perceptuallab.kit.io.DecodedImages;
import org.perceptuallab.kit.io.Images;
import org.perceptuallab.kit.io.SyntheticImages;
import org.perceptuallab.kit.metrics.Bootstrap;
import org.pf4j.Extension;

/**
 * How well a loss follows people's quality scores: per rated image d = D(reference, distorted); with x = -d and
 * q the quality (the score, or minus the score where a higher score is worse, as LIVE's DMOS), SRCC and KRCC
 * (tau-b) of x against q, and PLCC of q against the logistic fitted from x to q ({@link LogisticFit}); so a
 * loss that agrees with people scores near +1 whatever the set's score convention. Seeded percentile bootstrap
 * intervals over the rated images; the same per distortion type; a scatter plot of score against distance.
 */
@Extension
public final class MosExperiment implements Experiment {
    static final String ID = "mos-correlation";
    private static final Param<String> DATA = Param.string("data", null, "the root of a mean-opinion-score set"
            + " (relative to the matrix file): TID2013 (mos_with_names.txt, reference_images/, distorted_images/),"
            + " KADID-10k (dmos.csv, images/), or a folder with a CSV 'reference,distorted,score[,type]' (see"
            + " 'scores'); in a matrix, or the set 'generateFrom' makes").required();
    private static final Param<String> LAYOUT = Param.choice("layout", "auto",
            List.of("auto", "tid2013", "kadid10k", "csv"), "the set's layout; auto: from the score file present");
    private static final Param<String> SCORES = Param.string("scores", MosGenerator.SCORES,
            "the csv layout's score file, relative to 'data'");
    private static final Param<String> HIGHER_SCORE_IS = Param.choice("higherScoreIs", "better",
            List.of("better", "worse"), "better: the scores grow with quality (TID2013's MOS, KADID-10k's DMOS,"
            + " the generated sets); worse: they grow with degradation (LIVE's DMOS)");
    private static final Param<Integer> SIZE = Param.integer("size", 128, 8, 2048,
            "images are resized to size x size");
    private static final Param<Integer> MAX_PAIRS = Param.integer("maxPairs", 0, 0, 10_000_000,
            "most rated images, spread evenly over the score file's order; 0: all");
    private static final Param<Integer> BATCH = Param.integer("batch", 16, 1, 4096, "images per distance call");
    private static final Param<Integer> BOOTSTRAP = Param.integer("bootstrap", 1000, 0, 1_000_000,
            "bootstrap resamples of the 95% intervals; 0: none");
    private static final Param<Integer> LOGISTIC = Param.integer("logistic", 4, 4, 5,
            "parameters of the logistic fitted before PLCC: 4 (VQEG) or 5 (Sheikh et al. 2006)");
    private static final Param<String> GENERATE_FROM = Param.string("generateFrom", null,
            "a folder of photos: without 'data', a set of distortions of known strength is generated from them"
            + " once per matrix (score = 1 - strength) and used as the data");
    private static final Param<Integer> GENERATE_REFERENCES = Param.integer("generateReferences", 6, 1, 10_000,
            "photos of the generated set (its references)");
    private static final Param<String> GENERATE_KINDS = Param.string("generateKinds", "noise,blur,jpeg,color",
            "comma-separated distortion kinds of the generated set (noise, blur, jpeg, color, shift, shuffle)");
    private static final Param<Integer> GENERATE_LEVELS = Param.integer("generateLevels", 5, 2, 100,
            "strengths per kind of the generated set");
    private static final Param<Integer> GENERATE_SEED = Param.integer("generateSeed", 0, 0, Integer.MAX_VALUE,
            "seed of the generated set's distortion patterns");
    private static final ParamSpec PARAMS = ParamSpec.of(DATA, LAYOUT, SCORES, HIGHER_SCORE_IS, SIZE, MAX_PAIRS,
            BATCH, BOOTSTRAP, LOGISTIC, OneDraw.PARAM, GENERATE_FROM, GENERATE_REFERENCES, GENERATE_KINDS,
            GENERATE_LEVELS, GENERATE_SEED);

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String summary() {
        return "correlation with mean opinion scores (TID2013, KADID-10k, a CSV): SRCC, KRCC, PLCC";
    }

    @Override
    public ParamSpec params() {
        return PARAMS;
    }

    /** With {@code generateFrom} and no {@code data}: the generated set, made once into the entry's folder. */
    @Override
    public ObjectNode prepare(ObjectNode given, PreparationContext context) {
        if (given.hasNonNull(DATA.name()) || !given.hasNonNull(GENERATE_FROM.name())) {
            return given;
        }
        Path set = context.folder().toAbsolutePath().normalize();
        ObjectNode out = given.deepCopy();
        out.put(DATA.name(), set.toString());
        Params p = PARAMS.resolve("experiment '" + ID + "'", out);
        MosGenerator.ensure(context.resolve(p.get(GENERATE_FROM)), set, recipe(p), context.log());
        return out;
    }

    static MosGenerator.Recipe recipe(Params p) {
        List<String> kinds = Arrays.stream(p.get(GENERATE_KINDS).split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
        return new MosGenerator.Recipe(p.get(GENERATE_REFERENCES), kinds, p.get(GENERATE_LEVELS), p.get(SIZE),
                p.get(GENERATE_SEED));
    }

    /** Three generated photos, a set of 2 kinds at 2 strengths generated from them at 16 pixels, a short bootstrap. */
    @Override
    public Optional<ObjectNode> tinyRun(Path folder) {
        for (int i = 0; i < 3; i++) {
            SyntheticImages.write(folder.resolve("photos/photo-" + i + ".png"), 48, i);
        }
        return Optional.of(JsonNodeFactory.instance.objectNode().put("generateFrom", "photos")
                .put("generateKinds", "noise,blur").put("generateLevels", 2).put("size", 16).put("bootstrap", 20));
    }

    @Override
    public ExperimentResult run(Params p, Loss loss, ExperimentContext ctx) throws IOException {
        Path root = ctx.resolve(p.get(DATA));
        MosSets.Layout layout = p.get(LAYOUT).equals("auto") ? MosSets.detect(root, p.get(SCORES))
                : MosSets.Layout.of(p.get(LAYOUT));
        List<MosSets.Pair> pairs = evenlySpaced(MosSets.read(root, layout, p.get(SCORES)), p.get(MAX_PAIRS));
        double[] distance = distances(pairs, p, loss, ctx);
        double sense = p.get(HIGHER_SCORE_IS).equals("better") ? 1 : -1;
        double[] score = pairs.stream().mapToDouble(MosSets.Pair::score).toArray();
        Scores all = new Scores(Arrays.stream(distance).map(d -> -d).toArray(),
                Arrays.stream(score).map(s -> sense * s).toArray());
        LogisticFit fit = LogisticFit.fit(all.x, all.q, p.get(LOGISTIC));
        List<String> types = pairs.stream().map(MosSets.Pair::type).distinct().toList();
        int[] type = pairs.stream().mapToInt(pair -> types.indexOf(pair.type())).toArray();

        int resamples = p.get(BOOTSTRAP);
        long seed = ctx.seed();
        ExperimentResult.Builder result = ExperimentResult.builder();
        double[] mapped = fit.predict(all.x);
        double srcc = all.srcc();
        double plcc = Correlations.pearson(mapped, all.q);
        addWithInterval(result, "srcc", srcc, all.interval(resamples, seed, Correlations::spearman), true);
        addWithInterval(result, "krcc", all.krcc(), all.interval(resamples, seed + 1, Correlations::kendallTauB),
                false);
        addWithInterval(result, "plcc", plcc, new Scores(mapped, all.q).interval(resamples, seed + 2,
                Correlations::pearson), false);
        result.metric("pairs", Metric.count(pairs.size()));

        List<List<Object>> rows = new ArrayList<>();
        for (int t = 0; t < types.size(); t++) {
            int k = t;
            int[] members = IntStream.range(0, pairs.size()).filter(i -> type[i] == k).toArray();
            Scores of = all.subset(members);
            double typeSrcc = of.srcc();
            double[] ci = of.interval(resamples, seed + 3 + t, Correlations::spearman);
            if (types.size() > 1) {
                result.metric("srcc." + types.get(t), Metric.value(typeSrcc, Metric.Better.HIGHER));
            }
            rows.add(List.of(types.get(t), members.length, typeSrcc, ci[0], ci[1], of.krcc(),
                    Correlations.pearson(pick(mapped, members), of.q)));
        }
        result.table(new Table("per distortion type: correlations of -distance with quality (SRCC with its 95%"
                + " bootstrap interval; PLCC through the overall logistic)",
                List.of("type", "pairs", "srcc", "srccLow", "srccHigh", "krcc", "plcc"), rows));

        Images.writePng(ScatterPlot.draw(String.format(Locale.ROOT, "%s: SRCC %.3f, PLCC %.3f", loss.spec().id(),
                        srcc, plcc), distance, score, type, types,
                d -> sense * fit.predict(-d), sense > 0 ? "score" : "score (higher: worse)"),
                ctx.outputDir().resolve("scatter.png"));
        result.image("scatter", "scatter.png");
        return result.details(details(p, layout, root, fit)).synthetic(isGenerated(root)).build();
    }

    /** The correlation, made the headline where {@code headline}, and its interval. */
    private static void addWithInterval(ExperimentResult.Builder result, String name, double value, double[] ci,
                                        boolean headline) {
        Metric metric = Metric.value(value, Metric.Better.HIGHER);
        if (headline) {
            result.headline(name, metric);
        } else {
            result.metric(name, metric);
        }
        result.metric(name + ".ci95Low", Metric.value(ci[0], Metric.Better.HIGHER));
        result.metric(name + ".ci95High", Metric.value(ci[1], Metric.Better.HIGHER));
    }

    /** The objective x = -distance and the quality q of some rated images. */
    private record Scores(double[] x, double[] q) {
        double srcc() {
            return Correlations.spearman(x, q);
        }

        double krcc() {
            return Correlations.kendallTauB(x, q);
        }

        Scores subset(int[] indices) {
            return new Scores(pick(x, indices), pick(q, indices));
        }

        double[] interval(int resamples, long seed, Coefficient coefficient) {
            return Bootstrap.interval95(x.length, resamples, seed,
                    sample -> coefficient.of(pick(x, sample), pick(q, sample)));
        }
    }

    private interface Coefficient {
        double of(double[] x, double[] y);
    }

    private static double[] pick(double[] v, int[] indices) {
        double[] out = new double[indices.length];
        for (int i = 0; i < indices.length; i++) {
            out[i] = v[indices[i]];
        }
        return out;
    }

    /** At most {@code limit} of the pairs (0: all), evenly spaced, so that each reference and type keeps some. */
    static List<MosSets.Pair> evenlySpaced(List<MosSets.Pair> pairs, int limit) {
        if (limit == 0 || limit >= pairs.size()) {
            return pairs;
        }
        return IntStream.range(0, limit).mapToObj(i -> pairs.get((int) ((long) i * pairs.size() / limit))).toList();
    }

    /**
     * D(reference, distorted) of every pair, batch by batch; the references are decoded once each (they come
     * first in the decoded set), the distorted images after them.
     */
    private static double[] distances(List<MosSets.Pair> pairs, Params p, Loss loss, ExperimentContext ctx) {
        Map<Path, Integer> referenceIndex = new LinkedHashMap<>();
        pairs.forEach(pair -> referenceIndex.putIfAbsent(pair.reference(), referenceIndex.size()));
        List<Path> files = new ArrayList<>(referenceIndex.keySet());
        pairs.forEach(pair -> files.add(pair.distorted()));
        int references = referenceIndex.size();
        int size = p.get(SIZE);
        int batch = p.get(BATCH);
        double[] out = new double[pairs.size()];
        try (DecodedImages images = DecodedImages.open(files, 3, size, size, ctx.cacheFolder());
             OneDraw draw = OneDraw.of(loss, p.get(OneDraw.PARAM));
             Progress progress = ctx.progress(ID + " " + loss.spec().id(), pairs.size())) {
            for (int from = 0; from < pairs.size(); from += batch) {
                int to = Math.min(pairs.size(), from + batch);
                try (NDManager scope = ctx.manager().newSubManager()) {
                    NDList refs = new NDList();
                    for (int i = from; i < to; i++) {
                        int r = referenceIndex.get(pairs.get(i).reference());
                        refs.add(images.batch(scope, r, r + 1));
                    }
                    NDArray distorted = images.batch(scope, references + from, references + to);
                    double[] d = draw.loss().distance(NDArrays.concat(refs), distorted)
                            .toType(DataType.FLOAT64, false).toDoubleArray();
                    System.arraycopy(d, 0, out, from, d.length);
                }
                progress.step(to - from);
            }
        }
        for (int i = 0; i < out.length; i++) {
            if (!Double.isFinite(out[i])) {
                throw new PlabException("experiment '" + ID + "': loss " + loss.spec().id() + " gave " + out[i]
                        + " for " + pairs.get(i).distorted() + "; a correlation needs finite distances");
            }
        }
        return out;
    }

    private static ObjectNode details(Params p, MosSets.Layout layout, Path root, LogisticFit fit) throws IOException {
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        details.put("layout", layout.id);
        details.put("signConvention", "correlations of x = -distance with q = score (higherScoreIs better) or"
                + " -score (worse): a loss that orders images as people do scores near +1");
        details.put("logistic", fit.parameters() == 4 ? "f(x) = b2 + (b1 - b2) / (1 + exp(-(x - b3) / b4))"
                : "f(x) = b1 (1/2 - 1 / (1 + exp(b2 (x - b3)))) + b4 x + b5");
        var beta = details.putArray("logisticParameters");
        Arrays.stream(fit.betaOnDataScale()).forEach(beta::add);
        details.put("plccInterval", "resamples the images with the logistic fitted once on all of them; per type,"
                + " PLCC uses that overall fit");
        Path marker = root.resolve(MosSets.SYNTHETIC_MARKER);
        if (Files.isRegularFile(marker)) {
            details.set("synthetic", new ObjectMapper().readTree(marker.toFile()));
        }
        return details;
    }

    private static boolean isGenerated(Path root) {
        return Files.isRegularFile(root.resolve(MosSets.SYNTHETIC_MARKER));
    }
}
