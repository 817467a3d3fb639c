package org.perceptuallab.plugins.twoafc;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
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
import java.util.stream.IntStream;
import java.util.stream.Stream;
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
import org.perceptuallab.api.Table;
import org.perceptuallab.kit.OneDraw;
import org.perceptuallab.kit.io.DecodedImages;
import org.perceptuallab.kit.io.Distortions;
import org.perceptuallab.kit.io.Images;
import org.perceptuallab.kit.io.SyntheticImages;
import org.perceptuallab.kit.io.TwoAfcSets;
import org.perceptuallab.kit.metrics.Bootstrap;
import org.pf4j.Extension;

/**
 * BAPPS' just-noticeable-difference split scored as the LPIPS paper scores it: the pairs ranked by d = D(p0, p1),
 * closest first, are taken as a ranking of "same" judgements, each pair counting s = the fraction of people who
 * judged it the same as a true positive and 1 - s as a false positive; the score is the average precision, the
 * area under that precision-recall curve (VOC's: precision made non-increasing, summed over the steps of recall).
 */
@Extension
public final class JndExperiment implements Experiment {
    private static final String OWNER = "experiment 'jnd'";
    private static final Param<String> DATA = Param.string("data", null, "a BAPPS JND root:"
            + " <root>/<category>/{p0,p1}/*.png, same/*.npy (relative to the matrix file)").required();
    private static final Param<Integer> SIZE = Param.integer("size", 64, 8, 1024, "images are resized to size x size");
    private static final Param<String> CATEGORIES = Param.string("categories", "",
            "comma-separated categories to use; empty: every folder");
    private static final Param<Integer> MAX_PER_CATEGORY = Param.integer("maxPerCategory", 0, 0, 10_000_000,
            "most pairs per category (by name); 0: all");
    private static final Param<Integer> BATCH = Param.integer("batch", 32, 1, 4096, "pairs per distance call");
    private static final Param<Integer> BOOTSTRAP = Param.integer("bootstrap", 1000, 0, 1_000_000,
            "bootstrap resamples of the 95% interval; 0: none");
    private static final ParamSpec PARAMS = ParamSpec.of(DATA, SIZE, CATEGORIES, MAX_PER_CATEGORY, BATCH, BOOTSTRAP,
            OneDraw.PARAM);

    /** One pair and the fraction of people who judged it the same. */
    record Pair(Path p0, Path p1, double same) {
    }

    @Override
    public String id() {
        return "jnd";
    }

    @Override
    public String summary() {
        return "average precision of \"same\" judgements ranked by distance (BAPPS JND layout)";
    }

    @Override
    public ParamSpec params() {
        return PARAMS;
    }

    /** One category of 6 pairs: a generated image against itself and against noise of rising strength. */
    @Override
    public Optional<ObjectNode> tinyRun(Path folder) throws IOException {
        Path dir = folder.resolve("jnd/noise");
        for (int i = 0; i < 6; i++) {
            String name = String.format(Locale.ROOT, "%06d", i);
            BufferedImage image = Images.read(SyntheticImages.write(dir.resolve("p0/" + name + ".png"), 16, i));
            Images.writePng(i == 0 ? image : Distortions.apply("noise", image, 0.15 * i, i), dir.resolve("p1/" + name
                    + ".png"));
            TwoAfcGenerator.writeScalarNpy(dir.resolve("same/" + name + ".npy"), i < 3 ? 1 - i / 3f : 0);
        }
        return Optional.of(JsonNodeFactory.instance.objectNode().put("data", "jnd").put("size", 16)
                .put("bootstrap", 20));
    }

    @Override
    public ExperimentResult run(Params p, Loss loss, ExperimentContext ctx) throws IOException {
        Path root = ctx.resolve(p.get(DATA));
        List<String> only = Arrays.stream(p.get(CATEGORIES).split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
        Map<String, List<Pair>> byCategory = new LinkedHashMap<>();
        List<Pair> pairs = new ArrayList<>();
        for (String c : TwoAfcSets.categories(OWNER, root, only, "p0", "<root>/<category>/{p0,p1,same})")) {
            byCategory.put(c, pairs(ctx.manager(), root.resolve(c), p.get(MAX_PER_CATEGORY)));
            pairs.addAll(byCategory.get(c));
        }
        int total = pairs.size();
        // Image i is p0 of pair i, image total + i its p1 (pairs in category order).
        List<Path> files = new ArrayList<>(2 * total);
        pairs.forEach(pair -> files.add(pair.p0()));
        pairs.forEach(pair -> files.add(pair.p1()));
        double[] distance = new double[total];
        int size = p.get(SIZE);
        int batch = p.get(BATCH);
        try (DecodedImages images = DecodedImages.open(files, 3, size, size, ctx.cacheFolder());
             OneDraw draw = OneDraw.of(loss, p.get(OneDraw.PARAM));
             Progress progress = ctx.progress("jnd " + loss.spec().id(), total)) {
            for (int from = 0; from < total; from += batch) {
                int to = Math.min(total, from + batch);
                try (NDManager scope = ctx.manager().newSubManager()) {
                    double[] d = draw.loss().distance(images.batch(scope, from, to),
                            images.batch(scope, total + from, total + to)).toType(DataType.FLOAT64, false)
                            .toDoubleArray();
                    System.arraycopy(d, 0, distance, from, d.length);
                }
                progress.step(to - from);
            }
        }
        double[] same = pairs.stream().mapToDouble(Pair::same).toArray();
        int resamples = p.get(BOOTSTRAP);
        double[] ci = Bootstrap.interval95(total, resamples, ctx.seed(),
                sample -> averagePrecision(pick(distance, sample), pick(same, sample)));
        ExperimentResult.Builder result = ExperimentResult.builder()
                .headline("map", Metric.fraction(averagePrecision(distance, same), Metric.Better.HIGHER))
                .metric("ci95Low", Metric.fraction(ci[0], Metric.Better.HIGHER))
                .metric("ci95High", Metric.fraction(ci[1], Metric.Better.HIGHER))
                .metric("pairs", Metric.count(total));
        List<List<Object>> rows = new ArrayList<>();
        int first = 0;
        int k = 1;
        for (var e : byCategory.entrySet()) {
            int[] members = IntStream.range(first, first + e.getValue().size()).toArray();
            double ap = averagePrecision(pick(distance, members), pick(same, members));
            double[] cci = Bootstrap.interval95(members.length, resamples, ctx.seed() + k++, sample -> {
                int[] picked = Arrays.stream(sample).map(i -> members[i]).toArray();
                return averagePrecision(pick(distance, picked), pick(same, picked));
            });
            result.metric("map." + e.getKey(), Metric.fraction(ap, Metric.Better.HIGHER));
            rows.add(List.of(e.getKey(), ap, cci[0], cci[1], members.length));
            first += members.length;
        }
        result.table(new Table("per category: mAP [95% bootstrap interval] (pairs)",
                List.of("category", "map", "ci95Low", "ci95High", "pairs"), rows));
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        details.put("scoreFormula", "average precision of the pairs ranked by D(p0, p1), closest first, each counting"
                + " s (the fraction judging it the same) as a true and 1 - s as a false positive");
        return result.details(details).build();
    }

    /**
     * The area under the precision-recall curve of "same" ranked by distance, closest first (ties in file
     * order): precision and recall after each pair from the cumulative sums of s and 1 - s; the precision made
     * non-increasing from the right; summed over the steps of recall. NaN when no pair was judged the same.
     */
    static double averagePrecision(double[] distance, double[] same) {
        Integer[] order = IntStream.range(0, distance.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> distance[i]));
        double positives = Arrays.stream(same).sum();
        if (positives == 0) {
            return Double.NaN;
        }
        int n = distance.length;
        double[] recall = new double[n + 2];
        double[] precision = new double[n + 2];
        double truePositives = 0;
        for (int k = 0; k < n; k++) {
            truePositives += same[order[k]];
            recall[k + 1] = truePositives / positives;
            precision[k + 1] = truePositives / (k + 1);
        }
        recall[n + 1] = 1;
        for (int k = n; k > 0; k--) {
            precision[k] = Math.max(precision[k], precision[k + 1]);
        }
        double area = 0;
        for (int k = 1; k <= n + 1; k++) {
            area += (recall[k] - recall[k - 1]) * precision[k];
        }
        return area;
    }

    private static double[] pick(double[] v, int[] indices) {
        return Arrays.stream(indices).mapToDouble(i -> v[i]).toArray();
    }

    /** The pairs of one category, by file name, at most {@code limit} (0: all). */
    private static List<Pair> pairs(NDManager m, Path dir, int limit) {
        List<Pair> out = new ArrayList<>();
        try (Stream<Path> p0s = Files.list(dir.resolve("p0"))) {
            for (Path p0 : p0s.filter(f -> f.toString().endsWith(".png")).sorted().toList()) {
                if (limit > 0 && out.size() >= limit) {
                    break;
                }
                String name = p0.getFileName().toString();
                String stem = name.substring(0, name.length() - 4);
                Path p1 = dir.resolve("p1").resolve(name);
                Path same = dir.resolve("same").resolve(stem + ".npy");
                for (Path f : List.of(p1, same)) {
                    if (!Files.isRegularFile(f)) {
                        throw new PlabException("experiment 'jnd': pair " + dir.getFileName() + "/" + stem + " lacks "
                                + f + "; each p0/NAME.png needs p1/NAME.png and same/NAME.npy");
                    }
                }
                out.add(new Pair(p0, p1, TwoAfcSets.readFraction(m, same, OWNER + ": same file")));
            }
        } catch (IOException e) {
            throw new PlabException("cannot list " + dir.resolve("p0") + ": " + e.getMessage(), e);
        }
        return out;
    }
}
