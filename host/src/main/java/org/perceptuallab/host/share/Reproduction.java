package org.perceptuallab.host.share;

import static org.perceptuallab.host.io.JsonFiles.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Metric;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.ConfinedPaths;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.matrix.MatrixRunner;
import org.perceptuallab.host.matrix.MatrixSpec;
import org.perceptuallab.host.provenance.Coordinates;
import org.perceptuallab.host.provenance.Provenance;
import org.perceptuallab.host.report.ResultFiles;
import org.perceptuallab.host.run.CellOutcome;
import org.perceptuallab.host.run.RunConfiguration;
import org.perceptuallab.kit.io.Folders;

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
            JsonNode root = JSON.readTree(file.toFile());
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
    public List<CellOutcome.Done> cells(String patterns) {
        List<Pattern> globs = new ArrayList<>();
        if (patterns != null && !patterns.isBlank()) {
            for (String glob : patterns.split(",")) {
                globs.add(Pattern.compile(glob.trim().chars().mapToObj(ch -> ch == '*' ? ".*" : ch == '?' ? "."
                        : Pattern.quote(Character.toString(ch))).reduce("", String::concat)));
            }
        }
        List<CellOutcome.Done> out = new ArrayList<>();
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
    private CellOutcome.Done requireRerunnable(JsonNode cell) {
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
        try {
            return JSON.treeToValue(cell, CellOutcome.Done.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new PlabException(resultsFile + ": cell " + name(cell) + " is no finished cell as plab writes it ("
                    + e.getMessage().lines().findFirst().orElse("") + "); give the results.json as plab wrote it, or"
                    + " leave the cell out with --cells", e);
        }
    }

    /**
     * The jars of the plugins the cells' experiments and losses came from, as their provenance records them
     * (those whose jars named coordinates).
     */
    public static Set<MatrixSpec.PinnedPlugin> pins(List<CellOutcome.Done> cells) {
        Set<MatrixSpec.PinnedPlugin> out = new LinkedHashSet<>();
        for (CellOutcome.Done cell : cells) {
            Provenance provenance = cell.provenance();
            if (provenance == null) {
                continue;
            }
            // Not Set.of: the experiment and the loss may come from one plugin.
            Set<String> origins = new HashSet<>(List.of(String.valueOf(provenance.experiment().plugin()),
                    String.valueOf(provenance.loss().plugin())));
            for (Provenance.LoadedPlugin jar : provenance.plugins()) {
                if (origins.contains(jar.origin()) && jar.coordinates() != null && jar.sha256() != null) {
                    out.add(new MatrixSpec.PinnedPlugin(Coordinates.parse(jar.coordinates()), jar.sha256()));
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
    public List<Figure> rerun(Lab lab, List<CellOutcome.Done> cells, Path output, Path baseDir, PrintWriter log)
            throws IOException {
        clearEarlierReproduction(output);
        List<Figure> figures = new ArrayList<>();
        List<CellOutcome> outcomes = new ArrayList<>();
        for (CellOutcome.Done cell : cells) {
            JsonNode key = cell.key();
            long seed = key.get("seed").asLong();
            String recordedBase = cell.provenance() == null ? null : cell.provenance().run().baseDir();
            Path base = baseDir != null ? baseDir : Path.of(recordedBase != null ? recordedBase
                    : resultsFile.toAbsolutePath().getParent().toString());
            MatrixSpec.ExperimentEntry experiment = new MatrixSpec.ExperimentEntry(cell.experiment(),
                    key.get("experiment").asText(), (ObjectNode) key.get("params").deepCopy());
            MatrixSpec.LossEntry loss = new MatrixSpec.LossEntry(cell.loss(),
                    LossSpec.parse(resultsFile + ": cell " + name(cell) + ": ", key.get("loss")));
            MatrixSpec one = MatrixSpec.of(matrixName(), base, List.of(experiment),
                    MatrixSpec.LossChoice.of(List.of(loss)));
            log.println("reproducing " + name(cell) + " (seed " + seed + ")");
            log.flush();
            CellOutcome fresh = new MatrixRunner(lab, log).run(one, RunConfiguration.of(lab.settings().withSeed(seed),
                    output).withRetryFailed(true)).outcomes().get(0);
            outcomes.add(fresh);
            if (!key.equals(fresh.key())) {
                log.println("note: " + name(cell) + " ran with another key than recorded (recorded " + key + ", now "
                        + fresh.key() + "): its data or a default differs here");
            }
            figures.addAll(compare(name(cell), cell, fresh));
        }
        ResultFiles.write(output, matrixName() + REPRODUCED, outcomes,
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
            boolean ours = JSON.readTree(earlier.toFile()).path("matrix").asText().endsWith(REPRODUCED);
            if (!ours || Files.isSameFile(earlier, resultsFile)) {
                throw new PlabException("the output folder " + output + " holds the results of a run, not of a"
                        + " reproduction; give a new folder with --out");
            }
        }
        Path cellsFolder = output.resolve("cells");
        Folders.deleteTree(cellsFolder);
    }

    private static List<Figure> compare(String cell, CellOutcome.Done recorded, CellOutcome fresh) {
        if (!(fresh instanceof CellOutcome.Done done)) {
            return List.of(new Figure(cell, "status: " + (fresh instanceof CellOutcome.Failed f ? f.error()
                    : "failed"), 1.0, null, false));
        }
        Set<String> names = new LinkedHashSet<>(recorded.metrics().keySet());
        names.addAll(done.metrics().keySet());
        List<Figure> out = new ArrayList<>();
        for (String metric : names) {
            CellOutcome.MetricType type = done.metricTypes().get(metric);
            out.add(new Figure(cell, metric, recorded.metrics().get(metric), done.metrics().get(metric),
                    type != null && type.kind() == Metric.Kind.SECONDS));
        }
        return out;
    }

    private static String name(JsonNode cell) {
        return cell.path("experiment").asText() + "/" + cell.path("loss").asText();
    }

    private static String name(CellOutcome cell) {
        return cell.experiment() + "/" + cell.loss();
    }
}
