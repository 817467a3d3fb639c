package org.perceptuallab.host.matrix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.io.JsonFiles;

/**
 * Which shard runs which cell. Every shard of a matrix must agree, so the partition is made once per set
 * of cells and shard count and stored in the results folder ({@code plans/<cells>-of-<N>.json}): the first
 * shard to start writes it (an atomic create: a shard that loses the race reads the winner's), every other
 * shard and every rerun reads it. It also tells {@code plab report} which cells to expect.
 *
 * <p>The partition balances estimated seconds: cells in decreasing cost, each to the least loaded shard
 * (ties: the lower shard, then the cell id, so it is deterministic). A cell's estimate is, in order: the
 * measured seconds of an earlier run of the same cell (same key) in the folder; the model scaled by the
 * measured/model ratio of finished cells of the same experiment and loss family; the model scaled by that
 * ratio over all finished cells; the model. The model ({@link #modelCost}) is coarse on purpose.
 */
final class ShardPlan {
    /** Relative cost of one 64x64 RGB pair through a loss family (forward and backward), from plab bench. */
    private static final Map<String, Double> FAMILY_COST = Map.ofEntries(
            Map.entry("l1", 0.0001), Map.entry("l2", 0.0001), Map.entry("lp", 0.0002),
            Map.entry("grad", 0.0005), Map.entry("grad3", 0.0005), Map.entry("lap1", 0.0005),
            Map.entry("pyramid", 0.001), Map.entry("window", 0.005), Map.entry("sum", 0.005),
            Map.entry("ssim", 0.001), Map.entry("patch-rbf", 0.002), Map.entry("patch-mmd", 0.1),
            Map.entry("mmd-exact", 0.3), Map.entry("mmd-approx", 0.03), Map.entry("mmd++", 0.03),
            Map.entry("mmd+++", 0.03), Map.entry("patch-swd", 0.2), Map.entry("swd++", 0.01),
            Map.entry("vgg", 0.06), Map.entry("alexnet", 0.015), Map.entry("lpips", 0.06),
            Map.entry("psnr", 0.0001), Map.entry("ms-ssim", 0.002), Map.entry("gmsd", 0.001),
            Map.entry("grad-fast", 0.0005), Map.entry("laplacian", 0.005), Map.entry("dists", 0.1));
    private static final double UNKNOWN_FAMILY_COST = 0.03;

    /** A cell as the partition sees it. */
    record Item(String id, String experiment, String loss, String experimentId, String family, double model) {
    }

    private ShardPlan() {
    }

    /**
     * The model: family cost x (size / 64)^2 x work, where work is the steps (or levels x levelSteps) times
     * the data's files (or the crops of a single image). It knows nothing of an experiment's inner loops
     * (clustering is quadratic in its images), which is what the measured timings correct.
     */
    static double modelCost(String family, JsonNode params, JsonNode data) {
        double size = params.path("size").asDouble(64);
        double steps = params.path("multiScale").asBoolean(false)
                ? params.path("levels").asDouble(1) * params.path("levelSteps").asDouble(1)
                : params.path("steps").asDouble(1);
        double files = data == null ? 1 : Math.max(1, data.path("files").asDouble(1));
        double items = files > 1 ? files : params.path("crops").asDouble(1);
        return FAMILY_COST.getOrDefault(family, UNKNOWN_FAMILY_COST) * (size / 64) * (size / 64)
                * Math.max(1, steps) * Math.max(1, items);
    }

    /** The shard of every cell id: the stored plan for these cells and count, or a new one stored now. */
    static Map<String, Integer> loadOrCreate(Path output, String matrix, List<String> notes,
                                             Map<String, String> experimentNotes, List<Item> items,
                                             int count, Map<String, Double> measuredSeconds) {
        Path file = output.resolve("plans").resolve(cellsHash(items) + "-of-" + count + ".json");
        Optional<Map<String, Integer>> stored = read(file);
        if (stored.isPresent()) {
            try {
                // the newest plan is the one a report follows: this matrix is the one running now
                Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
            } catch (IOException ignored) {
                // a read-only plan still partitions correctly; only the report's choice may lag
            }
            return stored.get();
        }
        Map<String, Double> estimates = estimates(items, measuredSeconds);
        Map<String, Integer> shards = assign(items, estimates, count);
        ObjectNode plan = JsonNodeFactory.instance.objectNode();
        plan.put("matrix", matrix);
        plan.put("shards", count);
        ArrayNode noteArray = plan.putArray("notes");
        notes.forEach(noteArray::add);
        ObjectNode byExperiment = plan.putObject("experimentNotes");
        experimentNotes.forEach(byExperiment::put);
        ArrayNode cells = plan.putArray("cells");
        for (Item item : items) {
            ObjectNode c = cells.addObject();
            c.put("id", item.id());
            c.put("experiment", item.experiment());
            c.put("loss", item.loss());
            c.put("shard", shards.get(item.id()));
            c.put("estimatedSeconds", estimates.get(item.id()));
        }
        createOnce(file, plan);
        return read(file).orElseThrow(() -> new PlabException("cannot read back the shard plan " + file));
    }

    /** The newest stored plan of a results folder: the cells a report should expect. */
    static Optional<ObjectNode> newest(Path output) {
        Path dir = output.resolve("plans");
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .max(Comparator.comparing(ShardPlan::modified)).flatMap(ShardPlan::readNode);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Longest cells first, each to the least loaded shard; deterministic for equal inputs. */
    static Map<String, Integer> assign(List<Item> items, Map<String, Double> estimates, int count) {
        List<Item> order = new ArrayList<>(items);
        order.sort(Comparator.comparingDouble((Item i) -> -estimates.get(i.id())).thenComparing(Item::id));
        double[] load = new double[count];
        Map<String, Integer> out = new HashMap<>();
        for (Item item : order) {
            int least = 0;
            for (int s = 1; s < count; s++) {
                if (load[s] < load[least]) {
                    least = s;
                }
            }
            load[least] += estimates.get(item.id());
            out.put(item.id(), least);
        }
        return out;
    }

    static Map<String, Double> estimates(List<Item> items, Map<String, Double> measuredSeconds) {
        Map<String, List<Double>> ratios = new HashMap<>();
        List<Double> all = new ArrayList<>();
        for (Item item : items) {
            Double seconds = measuredSeconds.get(item.id());
            if (seconds != null && item.model() > 0) {
                double ratio = seconds / item.model();
                ratios.computeIfAbsent(item.experimentId() + "|" + item.family(), k -> new ArrayList<>()).add(ratio);
                all.add(ratio);
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (Item item : items) {
            Double seconds = measuredSeconds.get(item.id());
            List<Double> same = ratios.get(item.experimentId() + "|" + item.family());
            double estimate = seconds != null ? seconds
                    : same != null ? item.model() * median(same)
                    : !all.isEmpty() ? item.model() * median(all) : item.model();
            out.put(item.id(), estimate);
        }
        return out;
    }

    /** A stable name for a set of cells: a hash of their sorted ids. */
    static String cellsHash(List<Item> items) {
        List<String> ids = items.stream().map(Item::id).sorted().toList();
        return sha256(String.join("\n", ids)).substring(0, 16);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** Writes {@code node} to {@code file} unless it exists: a hard link of a whole temporary file is atomic. */
    private static void createOnce(Path file, ObjectNode node) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
            try {
                Files.writeString(tmp, JsonFiles.JSON.writeValueAsString(node), StandardCharsets.UTF_8);
                try {
                    Files.createLink(file, tmp);
                } catch (FileAlreadyExistsException lost) {
                    // another shard stored its plan first; both came from the same inputs, the stored one rules
                } catch (UnsupportedOperationException | IOException noLinks) {
                    // a file system without hard links (some object-store mounts): a plain move, kept if present
                    if (!Files.exists(file)) {
                        Files.move(tmp, file);
                    }
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new PlabException("cannot write the shard plan " + file + ": " + e.getMessage()
                    + "; the results folder must be writable by every shard", e);
        }
    }

    private static Optional<Map<String, Integer>> read(Path file) {
        return readNode(file).map(plan -> {
            Map<String, Integer> out = new HashMap<>();
            plan.path("cells").forEach(c -> out.put(c.path("id").asText(), c.path("shard").asInt()));
            return out;
        });
    }

    private static Optional<ObjectNode> readNode(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode node = JsonFiles.JSON.readTree(file.toFile());
            return node instanceof ObjectNode o && o.path("cells").isArray() ? Optional.of(o) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
