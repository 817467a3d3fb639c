package org.perceptuallab.plugins.clustering;

import org.perceptuallab.kit.io.SyntheticImages;
import java.util.Optional;
import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
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
import org.perceptuallab.kit.OneDraw;
import org.perceptuallab.kit.io.Images;
import org.perceptuallab.kit.io.LabelledImages;
import org.pf4j.Extension;

/**
 * Does a loss's geometry group images the way people label them? Clusters a labelled set into k groups
 * under the loss: k-means in its feature space where the loss has an exact feature map (pixels for l2, VGG
 * activations under the l2 metric, pooled random features for mmd-approx), k-medoids on its distance
 * matrix for every loss; then scores the clusters against the labels ({@link ClusterScores}).
 */
@Extension
public final class ClusteringExperiment implements Experiment {
    private static final Param<String> DATA = Param.string("data", null,
            "labelled images: a folder with one sub-folder per class, an IDX images"
            + " file (*-images-idx3-ubyte[.gz], labels beside it) or a cifar-10-batches-bin folder (relative"
            + " to the matrix file)").required();
    private static final Param<Integer> SIZE = Param.integer("size", 32, 8, 1024,
            "images are resized (shorter side) and centre-cropped to size x size");
    private static final Param<Boolean> GRAY = Param.bool("gray", false,
            "read one grey channel instead of RGB (grey sources become three equal channels)");
    private static final Param<Integer> MAX_PER_CLASS = Param.integer("maxPerClass", 0, 0, 10_000_000,
            "most images per class, drawn by the run's seed; 0: all");
    private static final Param<Integer> K = Param.integer("k", 0, 0, 100_000, "clusters; 0: the number of classes");
    private static final Param<String> METHOD = Param.choice("method", "auto", List.of("auto", "kmeans", "kmedoids"),
            "kmeans needs an exact feature map;"
            + " kmedoids works on the distance matrix of any loss; auto: kmeans where it can, else kmedoids");
    private static final Param<String> INIT = Param.choice("init", "kmeans++", List.of("kmeans++", "random"),
            "k-means initial centroids: k-means++,"
            + " or k random images (the reference protocol)");
    private static final Param<String> UPDATE = Param.choice("update", "mean", List.of("mean", "reference"),
            "k-means centroid update: the mean of its"
            + " images (until no assignment changes), or the reference's mean of its images and the old"
            + " centroid (for all iterations)");
    private static final Param<Integer> ITERATIONS = Param.integer("iterations", 100, 1, 100_000,
            "most k-means iterations (the reference protocol: 15)");
    private static final Param<Integer> RESTARTS = Param.integer("restarts", 5, 1, 10_000,
            "independent runs; the lowest objective is kept");
    private static final Param<Integer> BATCH = Param.integer("batch", 32, 1, 4096,
            "images (feature map) or pairs (distance matrix) per loss call");
    private static final ParamSpec PARAMS = ParamSpec.of(DATA, SIZE, GRAY, MAX_PER_CLASS, K, METHOD, INIT, UPDATE,
            ITERATIONS, RESTARTS, BATCH, OneDraw.PARAM);

    @Override
    public String id() {
        return "clustering";
    }

    @Override
    public String summary() {
        return "k-means / k-medoids of a labelled image set under the loss, scored against the labels (F1, ARI, NMI)";
    }

    /** Two classes of three generated 8-pixel images, two restarts of three iterations. */
    @Override
    public Optional<ObjectNode> tinyRun(Path folder) {
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < 3; i++) {
                SyntheticImages.write(folder.resolve("classes/class-" + c + "/" + i + ".png"), 8, 10L * c + i);
            }
        }
        return Optional.of(JsonNodeFactory.instance.objectNode().put("data", "classes").put("size", 8)
                .put("iterations", 3).put("restarts", 2));
    }

    @Override
    public ParamSpec params() {
        return PARAMS;
    }

    @Override
    public ExperimentResult run(Params p, Loss loss, ExperimentContext ctx) throws Exception {
        Path dataPath = ctx.resolve(p.get(DATA));
        LabelledImages data = LabelledImages.read("experiment 'clustering'", dataPath, p.get(SIZE),
                p.get(MAX_PER_CLASS), ctx.seed());
        int k = p.get(K) == 0 ? (int) Arrays.stream(data.labels()).distinct().count() : p.get(K);
        if (k > data.size()) {
            throw new PlabException("experiment 'clustering': k = " + k + " clusters for " + data.size()
                    + " images in " + dataPath + "; lower k or raise maxPerClass");
        }
        String method = p.get(METHOD);
        int channels = p.get(GRAY) ? 1 : 3;
        List<NDArray> images = new ArrayList<>(data.size());
        for (var img : data.images()) {
            images.add(Images.toTensor(ctx.manager(), img, channels));
        }

        long start = System.nanoTime();
        Geometry geometry;
        try (OneDraw draw = OneDraw.of(loss, p.get(OneDraw.PARAM))) {
            geometry = Geometry.of(draw.loss(), images, p.get(BATCH), !method.equals("kmedoids"),
                    ctx.manager(), ctx::progress);
        }
        double geometrySeconds = (System.nanoTime() - start) / 1e9;
        if (method.equals("kmeans") && !geometry.hasFeatures()) {
            throw new PlabException("experiment 'clustering': method kmeans needs an exact feature map, and loss '"
                    + loss.spec().id() + "' has none (" + geometry.note() + "); use method auto or kmedoids");
        }
        boolean kmeans = geometry.hasFeatures() && !method.equals("kmedoids");

        start = System.nanoTime();
        int[] assignments;
        double objective;
        List<Double> curve;
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        if (kmeans) {
            KMeans.Result r = KMeans.best(geometry.gram(), k, p.get(INIT).equals("random")
                            ? KMeans.Init.RANDOM : KMeans.Init.PLUS_PLUS,
                    p.get(UPDATE).equals("reference") ? KMeans.Update.REFERENCE : KMeans.Update.MEAN,
                    p.get(ITERATIONS), p.get(RESTARTS), ctx.seed());
            assignments = r.assignments();
            objective = r.objective();
            curve = r.curve();
            details.put("method", "kmeans");
            details.put("init", p.get(INIT));
            details.put("update", p.get(UPDATE));
        } else {
            KMedoids.Result r = KMedoids.best(geometry.distances(), k, p.get(RESTARTS), ctx.seed());
            assignments = r.assignments();
            objective = r.objective();
            curve = r.curve();
            details.put("method", "kmedoids");
            ArrayNode medoids = details.putArray("medoids");
            for (int m : r.medoids()) {
                medoids.add(m);
            }
        }
        double clusteringSeconds = (System.nanoTime() - start) / 1e9;

        ClusterScores scores = ClusterScores.of(data.labels(), data.classes().size(), assignments, k);
        ExperimentResult.Builder result = ExperimentResult.builder()
                .headline("f1", Metric.fraction(scores.f1(), Metric.Better.HIGHER))
                .metric("ari", Metric.value(scores.ari(), Metric.Better.HIGHER))
                .metric("nmi", Metric.fraction(scores.nmi(), Metric.Better.HIGHER))
                .metric("purity", Metric.fraction(scores.purity(), Metric.Better.HIGHER))
                .metric("meanPrecision", Metric.fraction(scores.meanPrecision(), Metric.Better.HIGHER))
                .metric("meanRecall", Metric.fraction(scores.meanRecall(), Metric.Better.HIGHER))
                .metric("objective", Metric.distance(objective, Metric.Better.NEITHER))
                .metric("n", Metric.count(data.size()))
                .metric("k", Metric.count(k))
                .metric("restarts", Metric.count(p.get(RESTARTS)))
                .metric("emptyClusters", Metric.count(scores.emptyClusters()))
                .metric("geometrySeconds", Metric.seconds(geometrySeconds))
                .metric("clusteringSeconds", Metric.seconds(clusteringSeconds));

        details.put("geometry", geometry.note());
        details.put("featureDimension", geometry.featureDimension());
        details.put("symmetrized", geometry.symmetrized());
        details.put("evaluations", geometry.evaluations());
        details.put("data", dataPath.toString());
        ArrayNode classes = details.putArray("classes");
        data.classes().forEach(classes::add);
        ArrayNode clusters = details.putArray("clusters");
        for (int c = 0; c < k; c++) {
            int size = 0;
            for (int v : scores.contingency()[c]) {
                size += v;
            }
            ObjectNode cluster = clusters.addObject();
            cluster.put("size", size);
            if (size > 0) {
                cluster.put("majority", data.classes().get(scores.majority()[c]));
                cluster.put("purity", (double) scores.contingency()[c][scores.majority()[c]] / size);
            }
        }
        ArrayNode assigned = details.putArray("assignments");
        for (int a : assignments) {
            assigned.add(a);
        }

        Images.writePng(ClusterFigures.clusters(data, assignments, scores), ctx.outputDir().resolve("clusters.png"));
        Images.writePng(ClusterFigures.confusion(data.classes(), scores), ctx.outputDir().resolve("confusion.png"));
        return result.image("clusters", "clusters.png").image("confusion", "confusion.png").curve("objective", curve)
                .details(details).build();
    }
}
