package org.perceptuallab.plugins.twoafc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.ExperimentContext;
import org.perceptuallab.api.ExperimentResult;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.Metric;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PreparationContext;
import org.perceptuallab.api.Progress;
import org.perceptuallab.api.Table;
import org.perceptuallab.kit.OneDraw;
import org.perceptuallab.kit.io.DecodedImages;
import org.perceptuallab.kit.io.Figures;
import org.perceptuallab.kit.io.Images;
import org.perceptuallab.kit.io.SyntheticImages;
import org.perceptuallab.kit.io.TwoAfcSets;
import org.perceptuallab.kit.metrics.Bootstrap;
import org.pf4j.Extension;

/**
 * Agreement of a loss with human 2AFC judgements: per triplet, score = (d0 &lt; d1)(1 - h) + (d1 &lt; d0) h
 * + 0.5 (d0 = d1) with d0 = D(ref, p0), d1 = D(ref, p1) and h the fraction of people who chose p1; the
 * mean per category and overall, with seeded bootstrap 95% intervals. The images are decoded once per
 * matrix into the context's cache folder ({@link DecodedImages}); both distances of a batch come from one
 * {@link Loss#distancesFrom} call (ref against p0 and p1), so a reference's own work is done once.
 */
@Extension
public final class TwoAfcExperiment implements Experiment {
    private static final String OWNER = "experiment '2afc'";
    private static final Param<String> DATA = Param.string("data", null, "a BAPPS-layout root:"
            + " <root>/<category>/{ref,p0,p1}/*.png, judge/*.npy (relative to the matrix file), a set made by"
            + " 'plab make-2afc', or, in a matrix, the set 'generateFrom' makes").required();
    private static final Param<Integer> SIZE = Param.integer("size", 64, 8, 1024, "images are resized to size x size");
    private static final Param<String> CATEGORIES = Param.string("categories", "",
            "comma-separated categories to use; empty: every folder");
    private static final Param<Integer> MAX_PER_CATEGORY = Param.integer("maxPerCategory", 0, 0, 10_000_000,
            "most triplets per category (by name); 0: all");
    private static final Param<Integer> BATCH = Param.integer("batch", 32, 1, 4096, "triplets per distance call");
    private static final Param<Integer> BOOTSTRAP = Param.integer("bootstrap", 1000, 0, 1_000_000,
            "bootstrap resamples of the 95% interval; 0: none");
    private static final Param<Integer> EXAMPLES = Param.integer("examples", 6, 0, 100,
            "triplets shown where the loss disagrees most with people");
    private static final Param<String> GENERATE_FROM = Param.string("generateFrom", null,
            "a folder of photos: without 'data', a synthetic set is generated"
            + " from them once per matrix (as plab make-2afc does) and used as the data");
    private static final Param<Integer> GENERATE_TRIPLETS = Param.integer("generateTriplets", 120, 1, 1_000_000,
            "triplets of the generated set");
    private static final Param<Integer> GENERATE_SEED = Param.integer("generateSeed", 0, 0, Integer.MAX_VALUE,
            "seed of the generated set");
    private static final ParamSpec PARAMS = ParamSpec.of(DATA, SIZE, CATEGORIES, MAX_PER_CATEGORY, BATCH, BOOTSTRAP,
            EXAMPLES, OneDraw.PARAM, GENERATE_FROM, GENERATE_TRIPLETS, GENERATE_SEED);

    @Override
    public String id() {
        return "2afc";
    }

    /** With {@code generateFrom} and no {@code data}: the synthetic set, made once into the entry's folder. */
    @Override
    public ObjectNode prepare(ObjectNode given, PreparationContext context) {
        if (given.hasNonNull(DATA.name()) || !given.hasNonNull(GENERATE_FROM.name())) {
            return given;
        }
        Path set = context.folder().toAbsolutePath().normalize();
        ObjectNode out = given.deepCopy();
        out.put(DATA.name(), set.toString());
        Params p = PARAMS.resolve("experiment '2afc'", out);
        TwoAfcGenerator.ensure(context.resolve(p.get(GENERATE_FROM)), set, p.get(GENERATE_TRIPLETS),
                p.get(GENERATE_SEED), context.log());
        return out;
    }

    @Override
    public String summary() {
        return "agreement with human two-alternative forced choice judgements (BAPPS layout)";
    }

    /** Three generated photos, a set of 4 triplets generated from them at 16 pixels, a short bootstrap. */
    @Override
    public Optional<ObjectNode> tinyRun(Path folder) {
        for (int i = 0; i < 3; i++) {
            SyntheticImages.write(folder.resolve("photos/photo-" + i + ".png"), 96, i);
        }
        return Optional.of(JsonNodeFactory.instance.objectNode().put("generateFrom", "photos")
                .put("generateTriplets", 4).put("size", 16).put("bootstrap", 20).put("examples", 1));
    }

    @Override
    public ParamSpec params() {
        return PARAMS;
    }

    @Override
    public ExperimentResult run(Params p, Loss loss, ExperimentContext ctx) throws IOException {
        Path root = ctx.resolve(p.get(DATA));
        List<String> only = Arrays.stream(p.get(CATEGORIES).split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
        List<String> categories = TwoAfcSets.categories(OWNER, root, only);
        Map<String, List<TwoAfcSets.Triplet>> byCategory = new LinkedHashMap<>();
        List<TwoAfcSets.Triplet> triplets = new ArrayList<>();
        for (String c : categories) {
            byCategory.put(c, TwoAfcSets.triplets(OWNER, ctx.manager(), root, c, p.get(MAX_PER_CATEGORY)));
            triplets.addAll(byCategory.get(c));
        }
        int total = triplets.size();
        // Image i of the set is ref i, image total + i is p0 i, image 2 total + i is p1 i (triplets in category order).
        List<Path> files = new ArrayList<>(3 * total);
        triplets.forEach(t -> files.add(t.ref()));
        triplets.forEach(t -> files.add(t.p0()));
        triplets.forEach(t -> files.add(t.p1()));
        int size = p.get(SIZE);
        int batch = p.get(BATCH);
        Map<String, double[]> scores = new LinkedHashMap<>();
        List<Scored> all = new ArrayList<>();
        try (DecodedImages images = DecodedImages.open(files, 3, size, size, ctx.cacheFolder());
             OneDraw draw = OneDraw.of(loss, p.get(OneDraw.PARAM));
             Progress progress = ctx.progress("2afc " + loss.spec().id(), total)) {
            int first = 0;
            for (var e : byCategory.entrySet()) {
                List<TwoAfcSets.Triplet> category = e.getValue();
                double[] s = new double[category.size()];
                for (int from = 0; from < category.size(); from += batch) {
                    int to = Math.min(category.size(), from + batch);
                    double[][] d = distances(draw.loss(), ctx.manager(), images, total, first + from, first + to);
                    for (int i = from; i < to; i++) {
                        double d0 = d[0][i - from];
                        double d1 = d[1][i - from];
                        s[i] = TwoAfcSets.score(d0, d1, category.get(i).judge());
                        all.add(new Scored(e.getKey(), category.get(i), d0, d1, s[i]));
                    }
                    progress.step(to - from);
                }
                scores.put(e.getKey(), s);
                first += category.size();
            }
        }
        return result(p, ctx, root, scores, all);
    }

    /**
     * {d0, d1} of the triplets {@code from} to {@code to}, from one {@link Loss#distancesFrom} call: the loss
     * computes what the references alone need (their features, their activations) once, not once per side.
     */
    private static double[][] distances(Loss loss, NDManager m, DecodedImages images, int total, int from, int to) {
        try (NDManager scope = m.newSubManager()) {
            NDArray ref = images.batch(scope, from, to);
            NDArray p0 = images.batch(scope, total + from, total + to);
            NDArray p1 = images.batch(scope, 2 * total + from, 2 * total + to);
            List<NDArray> d = loss.distancesFrom(ref, List.of(p0, p1));
            return new double[][] {d.get(0).toType(DataType.FLOAT64, false).toDoubleArray(),
                    d.get(1).toType(DataType.FLOAT64, false).toDoubleArray()};
        }
    }

    private record Scored(String category, TwoAfcSets.Triplet triplet, double d0, double d1, double score) {
    }

    private ExperimentResult result(Params p, ExperimentContext ctx, Path root, Map<String, double[]> scores,
                                    List<Scored> all) throws IOException {
        int resamples = p.get(BOOTSTRAP);
        double[] overall = all.stream().mapToDouble(Scored::score).toArray();
        double[] ci = Bootstrap.meanInterval95(overall, resamples, ctx.seed());
        ExperimentResult.Builder result = ExperimentResult.builder()
                .headline("score", Metric.fraction(Bootstrap.mean(overall), Metric.Better.HIGHER))
                .metric("ci95Low", Metric.fraction(ci[0], Metric.Better.HIGHER))
                .metric("ci95High", Metric.fraction(ci[1], Metric.Better.HIGHER))
                .metric("triplets", Metric.count(overall.length));
        List<List<Object>> perCategory = new ArrayList<>();
        int k = 1;
        for (var e : scores.entrySet()) {
            double[] cci = Bootstrap.meanInterval95(e.getValue(), resamples, ctx.seed() + k++);
            double score = Bootstrap.mean(e.getValue());
            result.metric("score." + e.getKey(), Metric.fraction(score, Metric.Better.HIGHER));
            perCategory.add(List.of(e.getKey(), score, cci[0], cci[1], e.getValue().length));
        }
        result.table(new Table("per category: score [95% bootstrap interval] (triplets)",
                List.of("category", "score", "ci95Low", "ci95High", "triplets"), perCategory));
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        details.put("scoreFormula", "(d0<d1)(1-h) + (d1<d0)h + 0.5(d0==d1), h = fraction judging p1 closer");
        Path marker = root.resolve(TwoAfcSets.SYNTHETIC_MARKER);
        boolean synthetic = Files.isRegularFile(marker);
        if (synthetic) {
            details.set("synthetic", new ObjectMapper().readTree(marker.toFile()));
        }
        Path summary = root.resolve(TwoAfcSets.JUDGING_SUMMARY);
        JsonNode ceiling = Files.isRegularFile(summary) ? new ObjectMapper().readTree(summary.toFile())
                .path("humanCeiling") : null;
        if (ceiling != null && ceiling.isNumber()) {
            // People judged this set (plab serve's export): their agreement with each other bounds any loss's.
            result.metric("humanCeiling", Metric.fraction(ceiling.asDouble(), Metric.Better.NEITHER));
            details.put("judge", "human").put("humanCeiling", ceiling.asDouble());
            Map<String, Double> bars = new LinkedHashMap<>();
            bars.put("all", Bootstrap.mean(overall));
            scores.forEach((category, s) -> bars.put(category, Bootstrap.mean(s)));
            CeilingChart.write(ctx.outputDir().resolve("ceiling.png"), "2AFC score against the human ceiling", bars, ceiling.asDouble());
            result.image("scores against the human ceiling", "ceiling.png");
        }
        if (p.get(EXAMPLES) > 0 && all.stream().anyMatch(s -> s.score() < 1)) {
            result.image("disagreements", "disagreements.png");
            writeDisagreements(all, p.get(EXAMPLES), p.get(SIZE), ctx.outputDir().resolve("disagreements.png"));
        }
        return result.details(details).synthetic(synthetic).build();
    }

    /**
     * The triplets where the loss's choice went most against people (score below 1): ref, p0, p1 with both
     * distances.
     */
    private static void writeDisagreements(List<Scored> all, int count, int size, Path file) {
        List<Figures.Row> rows = new ArrayList<>();
        for (Scored s : all.stream().filter(s -> s.score() < 1).sorted(Comparator.comparingDouble(Scored::score))
                .limit(count).toList()) {
            String people = s.triplet().judge() > 0.5 ? "p1" : s.triplet().judge() < 0.5 ? "p0" : "either";
            String title = String.format(Locale.ROOT, "%s %s: people chose %s (h=%.2f), score %.2f",
                    s.category(), s.triplet().ref().getFileName(), people, s.triplet().judge(), s.score());
            rows.add(new Figures.Row(title, List.of(
                    new Figures.Cell(Images.resize(Images.read(s.triplet().ref()), size, size), "ref"),
                    new Figures.Cell(Images.resize(Images.read(s.triplet().p0()), size, size),
                            String.format(Locale.ROOT, "p0 d=%.4g", s.d0())),
                    new Figures.Cell(Images.resize(Images.read(s.triplet().p1()), size, size),
                            String.format(Locale.ROOT, "p1 d=%.4g", s.d1())))));
        }
        Images.writePng(Figures.grid(rows, 96), file);
    }
}
