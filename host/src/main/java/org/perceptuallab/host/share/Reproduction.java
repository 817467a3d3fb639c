package org.perceptuallab.host.share;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Metric;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.ConfinedPaths;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.matrix.CellRecord;
import org.perceptuallab.host.matrix.MatrixRunner;
import org.perceptuallab.host.matrix.MatrixSpec;
import org.perceptuallab.host.matrix.ResultStore;

/**
 * {@code plab reproduce}: reruns cells of another run's results.json with the parameters, loss spec, seed
 * and data folder recorded in each cell, and compares every metric with the recorded value.
 */
public final class Reproduction {
    /** One metric of one cell: recorded and new value; a timing (a metric of kind seconds) is shown, never judged. */
    public record Figure(String cell, String metric, Double recorded, Double fresh, boolean timing) {
        public double difference() {
            return recorded == null || fresh == null ? Double.NaN : fresh - recorded;
        }

        /** Within {@code tolerance}, relative to the recorded magnitude (absolute below 1). */
        public boolean agrees(double tolerance) {
            if (timing || (recorded == null && fresh == null)) {
                return true;
            }
            return recorded != null && fresh != null
                    && Math.abs(fresh - recorded) <= tolerance * Math.max(1, Math.abs(recorded));
        }
    }

    /** How the matrix of a reproduction's results.json is named: the original's name and this suffix. */
    private static final String REPRODUCED = " (reproduced)";

    private final JsonNode results;
    private final Path resultsFile;

    private Reproduction(Path resultsFile, JsonNode results) {
        this.resultsFile = resultsFile;
        this.results = results;
    }

    /** Reads a results.json, or the one in a results folder. */
    public static Reproduction read(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve("results.json") : path;
        if (!Files.isRegularFile(file)) {
            throw new PlabException("results file not found: " + file.toAbsolutePath() + " (give a results.json or the"
                    + " folder 'plab matrix' wrote it into)");
        }
        try {
            JsonNode root = ResultStore.JSON.readTree(file.toFile());
            if (!root.path("cells").isArray()) {
                throw new PlabException(file + " is no plab results file: it has no 'cells' list");
            }
            return new Reproduction(file, root);
        } catch (IOException e) {
            throw new PlabException("cannot parse " + file + ": " + e.getMessage(), e);
        }
    }

    public String matrixName() {
        return results.path("matrix").asText("results");
    }

    /** Where the rerun cells go by default: {@code plab-output/NAME-reproduced}, refused if NAME leads elsewhere. */
    public Path defaultOutput() {
        return ConfinedPaths.under(Path.of("plab-output"), matrixName() + "-reproduced", "the 'matrix' name in"
                + " results file " + resultsFile + " (its rerun goes to plab-output/NAME-reproduced)");
    }

    /**
     * The finished cells whose {@code EXPERIMENT/LOSS} matches one of the comma-separated globs ({@code *}
     * any text, {@code ?} one character); null or empty: every finished cell.
     */
    public List<JsonNode> cells(String patterns) {
        List<Pattern> globs = new ArrayList<>();
        if (patterns != null && !patterns.isBlank()) {
            for (String glob : patterns.split(",")) {
                globs.add(Pattern.compile(glob.trim().chars().mapToObj(ch -> ch == '*' ? ".*" : ch == '?' ? "."
                        : Pattern.quote(Character.toString(ch))).reduce("", String::concat)));
            }
        }
        List<JsonNode> out = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (JsonNode cell : results.get("cells")) {
            String name = name(cell);
            names.add(name);
            boolean chosen = globs.isEmpty() || globs.stream().anyMatch(g -> g.matcher(name).matches());
            if (chosen && "done".equals(cell.path("status").asText())) {
                out.add(requireRerunnable(cell));
            }
        }
        if (out.isEmpty()) {
            throw new PlabException("no finished cell of " + resultsFile + " matches '" + patterns + "'; its cells: "
                    + String.join(", ", names));
        }
        return out;
    }

    /**
     * The cell, if it records what a rerun needs: its names and a key with the experiment id, its params,
     * the loss and the seed; else bad input naming the file, the cell and what is missing.
     */
    private JsonNode requireRerunnable(JsonNode cell) {
        JsonNode key = cell.path("key");
        String missing = !cell.path("experiment").isTextual() || !cell.path("loss").isTextual()
                ? "its 'experiment' and 'loss' names" : !key.isObject() ? "its 'key'"
                : !key.path("experiment").isTextual() ? "'key.experiment' (the experiment id)"
                : !key.path("params").isObject() ? "'key.params' (a mapping)"
                : !key.path("loss").isObject() && !key.path("loss").isTextual() ? "'key.loss' (the loss spec)"
                : !key.path("seed").isIntegralNumber() ? "'key.seed' (an integer)" : null;
        if (missing != null) {
            throw new PlabException(resultsFile + ": cell " + name(cell) + " lacks " + missing + ", so it cannot be"
                    + " rerun; give the results.json as plab wrote it, or leave the cell out with --cells");
        }
        return cell;
    }

    /**
     * The jars of the plugins the cells' experiments and losses came from, as their provenance records them
     * (those whose jars named coordinates).
     */
    public static Set<MatrixSpec.PinnedPlugin> pins(List<JsonNode> cells) {
        Set<MatrixSpec.PinnedPlugin> out = new LinkedHashSet<>();
        for (JsonNode cell : cells) {
            JsonNode provenance = cell.path("provenance");
            // Not Set.of: a record without provenance names no plugin twice ("").
            Set<String> origins = new HashSet<>(List.of(provenance.path("experiment").path("plugin").asText(),
                    provenance.path("loss").path("plugin").asText()));
            for (JsonNode jar : provenance.path("plugins")) {
                // As PluginHost.origin names a plugin in provenance and registries.
                String origin = "plugin " + jar.path("id").asText() + " " + jar.path("version").asText();
                if (origins.contains(origin) && jar.hasNonNull("coordinates") && jar.hasNonNull("sha256")) {
                    out.add(new MatrixSpec.PinnedPlugin(Coordinates.parse(jar.get("coordinates").asText()),
                            jar.get("sha256").asText()));
                }
            }
        }
        return out;
    }

    /**
     * Reruns each cell with its recorded parameters and seed into {@code output} (one fresh cell folder each)
     * and returns every metric, recorded and new.
     *
     * @param baseDir the folder the data paths are relative to, or null for the recorded one
     */
    public List<Figure> rerun(Lab lab, List<JsonNode> cells, Path output, Path baseDir, PrintWriter log)
            throws IOException {
        clearEarlierReproduction(output);
        List<Figure> figures = new ArrayList<>();
        List<CellRecord> records = new ArrayList<>();
        for (JsonNode cell : cells) {
            JsonNode key = cell.get("key");
            Path base = baseDir != null ? baseDir : Path.of(cell.path("provenance").path("baseDir")
                    .asText(resultsFile.toAbsolutePath().getParent().toString()));
            MatrixSpec.ExperimentEntry experiment = new MatrixSpec.ExperimentEntry(cell.get("experiment").asText(),
                    key.get("experiment").asText(), (ObjectNode) key.get("params").deepCopy());
            MatrixSpec.LossEntry loss = new MatrixSpec.LossEntry(cell.get("loss").asText(),
                    LossSpec.parse(resultsFile + ": cell " + name(cell) + ": ", key.get("loss")));
            MatrixSpec one = new MatrixSpec(matrixName(), base, key.get("seed").asLong(), null, output,
                    List.of(experiment), MatrixSpec.LossChoice.of(List.of(loss)));
            lab.settings().seed(key.get("seed").asLong());
            log.println("reproducing " + name(cell) + " (seed " + key.get("seed").asLong() + ")");
            log.flush();
            new MatrixRunner(lab, log).retryFailed(true).run(one, output);
            ObjectNode fresh = (ObjectNode) ResultStore.JSON.readTree(output.resolve("results.json").toFile())
                    .get("cells").get(0);
            records.add(ResultStore.JSON.treeToValue(fresh, CellRecord.class));
            if (!key.equals(fresh.get("key"))) {
                log.println("note: " + name(cell) + " ran with another key than recorded (recorded " + key + ", now "
                        + fresh.get("key") + "): its data or a default differs here");
            }
            figures.addAll(compare(name(cell), cell.path("metrics"), fresh));
        }
        MatrixRunner.writeTables(matrixName() + REPRODUCED, output, records,
                List.of("cells rerun from " + resultsFile.toAbsolutePath()), Map.of(), w -> log.println("warning: " + w));
        return figures;
    }

    /**
     * A reproduction runs every cell afresh, so the stored results of an earlier reproduction in the folder
     * (which the runner would keep) go; any other results folder is refused, the original's above all.
     */
    private void clearEarlierReproduction(Path output) throws IOException {
        Path earlier = output.resolve("results.json");
        if (Files.isRegularFile(earlier)) {
            boolean ours = ResultStore.JSON.readTree(earlier.toFile()).path("matrix").asText().endsWith(REPRODUCED);
            if (!ours || Files.isSameFile(earlier, resultsFile)) {
                throw new PlabException("the output folder " + output + " holds the results of a run, not of a"
                        + " reproduction; give a new folder with --out");
            }
        }
        Path cellsFolder = output.resolve("cells");
        if (Files.isDirectory(cellsFolder)) {
            try (Stream<Path> walk = Files.walk(cellsFolder)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static List<Figure> compare(String cell, JsonNode recorded, ObjectNode fresh) {
        if (!"done".equals(fresh.path("status").asText())) {
            return List.of(new Figure(cell, "status: " + fresh.path("error").asText("failed"), 1.0, null, false));
        }
        Map<String, JsonNode> names = new LinkedHashMap<>();
        recorded.fields().forEachRemaining(e -> names.put(e.getKey(), e.getValue()));
        fresh.path("metrics").fields().forEachRemaining(e -> names.putIfAbsent(e.getKey(), null));
        List<Figure> out = new ArrayList<>();
        for (String metric : names.keySet()) {
            boolean timing = Metric.Kind.SECONDS.name().equals(fresh.path("metricTypes").path(metric).path("kind").asText());
            out.add(new Figure(cell, metric, number(recorded.get(metric)), number(fresh.path("metrics").get(metric)),
                    timing));
        }
        return out;
    }

    private static Double number(JsonNode node) {
        return node == null || !node.isNumber() ? null : node.asDouble();
    }

    private static String name(JsonNode cell) {
        return cell.path("experiment").asText() + "/" + cell.path("loss").asText();
    }
}
