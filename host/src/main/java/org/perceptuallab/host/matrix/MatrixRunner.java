package org.perceptuallab.host.matrix;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import ai.djl.engine.Engine;
import org.perceptuallab.api.ApiVersion;
import org.perceptuallab.api.DidYouMean;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.ExperimentResult;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.PreparationContext;
import org.perceptuallab.api.Progress;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.PluginHost;
import org.perceptuallab.host.report.CurvePlot;
import org.perceptuallab.host.report.Report;
import org.perceptuallab.host.share.Coordinates;
import org.perceptuallab.host.share.PluginJar;
import org.perceptuallab.host.share.PluginPins;
import org.perceptuallab.runtime.catalog.PluginFailure;
import org.perceptuallab.runtime.catalog.Registry;
import org.perceptuallab.runtime.cell.CellContext;
import org.perceptuallab.runtime.cell.FolderCellState;

/**
 * Runs every (experiment, loss) cell of a matrix, or one shard's share of them. A cell's result (or its
 * error) is stored the moment it ends, in a folder named by the cell and a hash of its key (experiment id
 * and canonical params, canonical loss spec, seed, data hash); a cell whose stored result has the same key
 * is skipped, so a run started again after a kill continues where it stopped, and shards of one matrix
 * share one results folder without colliding ({@link ShardPlan} says which shard runs which cell). Plan,
 * run, store, report: each cell becomes one {@link CellRecord}, stored in its folder, and after each cell
 * the tables (results.json, results.csv) and report.html are written from the records this process
 * holds (and, for other shards' cells, what the folder holds); the others are listed as running or missing.
 */
public final class MatrixRunner {
    private final Lab lab;
    private final PrintWriter log;
    private boolean retryFailed;
    private Shard shard = Shard.ALL;
    /** Every loaded plugin's jar, read when a run starts. */
    private List<Provenance.PluginJar> pluginJars = List.of();

    /**
     * @param lab the runtime (its settings give the seed and device)
     * @param log where one line per cell goes
     */
    public MatrixRunner(Lab lab, PrintWriter log) {
        this.lab = lab;
        this.log = log;
    }

    /** Runs cells that failed before again instead of keeping their stored failure. */
    public MatrixRunner retryFailed(boolean value) {
        this.retryFailed = value;
        return this;
    }

    /** Runs only this shard's cells. */
    public MatrixRunner shard(Shard value) {
        this.shard = value;
        return this;
    }

    /** What a run produced: the report, and this process's cells (done, failed, kept from before). */
    public record Outcome(Path report, int done, int failed, int skipped) {
    }

    /** A planned cell; {@code id} is derived from its key. */
    private record Cell(MatrixSpec.ExperimentEntry entry, Registry.Entry<Experiment> experiment, Params params,
                        ObjectNode data, MatrixSpec.LossEntry loss, ObjectNode key, Path baseDir, String id) {
    }

    /** Runs the matrix into {@code output}; returns the report's path. */
    public Outcome run(MatrixSpec spec, Path output) throws IOException {
        System.setProperty("java.awt.headless", "true");
        ResultStore store = new ResultStore(output);
        try {
            Files.createDirectories(output);
        } catch (IOException | SecurityException e) {
            throw new PlabException("cannot create the output folder " + output.toAbsolutePath() + " (" + e
                    + "); choose a folder you can write with --out (or the matrix file's 'output')");
        }
        Map<String, PluginJar> jars = PluginPins.loadedJars(lab.plugins());
        PluginPins.requireMet(spec, jars);
        pluginJars = pluginJars(jars);
        List<String> notes = new ArrayList<>();
        List<MatrixSpec.LossEntry> losses = losses(spec, notes);
        List<Cell> cells = plan(spec, store, losses);
        Map<String, CellRecord> known = new LinkedHashMap<>();
        Map<String, Double> measured = new HashMap<>();
        for (Cell c : cells) {
            stored(store, c).ifPresent(r -> {
                known.put(c.id(), r);
                measured.put(c.id(), r.seconds());
            });
        }
        Map<String, Integer> owners = ShardPlan.loadOrCreate(output, spec.name(), notes, cells.stream()
                .map(c -> new ShardPlan.Item(c.id(), c.entry().name(), c.loss().name(), c.entry().id(),
                        c.loss().spec().id(), ShardPlan.modelCost(c.loss().spec().id(), c.params().json(), c.data())))
                .toList(), shard.count(), measured);
        List<Cell> mine = cells.stream().filter(c -> owners.get(c.id()) == shard.index()).toList();
        if (shard.count() > 1) {
            log.println("shard " + shard + ": " + mine.size() + " of the matrix's " + cells.size() + " cells");
        }
        int done = 0;
        int failed = 0;
        int skipped = 0;
        try (Progress overall = ConsoleProgress.open("matrix " + spec.name(), mine.size())) {
            for (int i = 0; i < mine.size(); i++) {
                Cell cell = mine.get(i);
                CellRecord stored = known.get(cell.id());
                String label = String.format(Locale.ROOT, "[%d/%d] %s x %s", i + 1, mine.size(),
                        cell.entry().name(), cell.loss().name());
                boolean reuse = stored != null && (!retryFailed || stored.isDone());
                CellRecord record;
                if (reuse) {
                    record = stored;
                    skipped++;
                    log.println(label + ": " + stored.status() + " before, kept" + (stored.isDone() ? ""
                            : " (" + stored.error() + "); --retry-failed runs it again"));
                } else {
                    record = runCell(cell, store, dir(store, cell), output);
                    log.println(label + ": " + record.status() + String.format(Locale.ROOT, " in %.1f s",
                            record.seconds()) + (record.isDone() ? "" : " (" + record.error() + ")"));
                }
                log.flush();
                if (record.isDone()) {
                    done++;
                } else {
                    failed++;
                }
                known.put(cell.id(), record);
                writeTables(spec.name(), output, present(store, cells, known, owners), notes);
                overall.step(1);
            }
        }
        // After each cell the tables were written; a shard with no cells of its own writes them once here.
        Path report = mine.isEmpty() ? writeTables(spec.name(), output, present(store, cells, known, owners), notes)
                : output.resolve("report.html");
        return new Outcome(report, done, failed, skipped);
    }

    private static Path dir(ResultStore store, Cell cell) {
        return store.cellDir(cell.entry().name(), cell.loss().name(), cell.id());
    }

    /** The cell's stored record, where one of this very configuration is in its folder. */
    private static Optional<CellRecord> stored(ResultStore store, Cell cell) {
        return store.read(dir(store, cell)).filter(r -> cell.key().equals(r.key()));
    }

    /**
     * Every planned cell in plan order: its record where this process knows it, else (other shards' cells)
     * what the folder holds now, else a placeholder saying it is running or missing.
     */
    private List<CellRecord> present(ResultStore store, List<Cell> cells, Map<String, CellRecord> known,
                                     Map<String, Integer> owners) {
        List<CellRecord> out = new ArrayList<>();
        for (Cell c : cells) {
            CellRecord record = known.get(c.id());
            if (record == null && owners.get(c.id()) != shard.index()) {
                record = stored(store, c).orElse(null);
            }
            out.add(record != null ? record : store.placeholder(dir(store, c), c.entry().name(), c.loss().name(),
                    c.key(), owners.get(c.id())));
        }
        return out;
    }

    /** The losses of the matrix; with {@code all}, every family not excepted whose parameters have defaults. */
    private List<MatrixSpec.LossEntry> losses(MatrixSpec spec, List<String> notes) {
        if (spec.losses() != null) {
            return spec.losses();
        }
        List<String> installed = lab.losses().families().entries().stream().map(e -> e.extension().id()).toList();
        for (String id : spec.except()) {
            if (!installed.contains(id)) {
                throw new PlabException("matrix " + spec.name() + ": 'losses.except' names '" + id + "', which is"
                        + " not an installed loss" + DidYouMean.suggestion(id, installed) + "; correct or remove it"
                        + " (installed: " + String.join(", ", installed) + ")");
            }
        }
        List<MatrixSpec.LossEntry> out = new ArrayList<>();
        for (Registry.Entry<LossFamily> e : lab.losses().families().entries()) {
            String id = e.extension().id();
            if (spec.except().contains(id)) {
                notes.add("loss '" + id + "' left out of 'all' by the matrix's 'except' list");
                continue;
            }
            ObjectNode given = spec.allParams().get(id);
            try {
                e.extension().params().resolve("loss '" + id + "'", given);
                LossSpec loss = new LossSpec(id, given);
                out.add(new MatrixSpec.LossEntry(loss.toString(), loss));
            } catch (PlabException needsParams) {
                notes.add("loss '" + id + "' left out of 'all': " + needsParams.getMessage()
                        + "; give its params under 'losses: {all: true, params: {" + id + ": {...}}}' to include it");
            }
        }
        for (String id : spec.allParams().keySet()) {
            lab.losses().families().require(id);
        }
        if (out.isEmpty()) {
            throw new PlabException("no losses installed (is the plugins folder set? see 'plab losses')");
        }
        return out;
    }

    private List<Cell> plan(MatrixSpec spec, ResultStore store, List<MatrixSpec.LossEntry> losses) {
        List<Cell> cells = new ArrayList<>();
        Map<String, ObjectNode> dataIds = new HashMap<>();
        for (MatrixSpec.ExperimentEntry entry : spec.experiments()) {
            Registry.Entry<Experiment> experiment = lab.experiments().require(entry.id());
            ObjectNode given = prepare(experiment, entry, spec, store);
            Params params = experiment.extension().params().resolve("experiment '" + entry.name() + "'", given);
            ObjectNode data = null;
            if (params.has("data")) {
                Path path = spec.baseDir().resolve(params.getString("data")).normalize();
                data = dataIds.computeIfAbsent(path.toString(), k -> DataIdentity.of(path));
            }
            for (MatrixSpec.LossEntry loss : losses) {
                ObjectNode key = JsonNodeFactory.instance.objectNode();
                key.put("experiment", entry.id());
                key.set("params", params.json());
                key.set("loss", canonical(loss.spec()));
                key.put("seed", lab.settings().seed());
                if (data != null) {
                    key.put("data", data.path("sha256").asText());
                }
                ObjectNode stored = asStored(key);
                cells.add(new Cell(entry, experiment, params, data, loss, stored, spec.baseDir(),
                        ShardPlan.sha256(stored.toString()).substring(0, 12)));
            }
        }
        return cells;
    }

    /** The entry's params after its experiment prepared their shared data (a generated set, say). */
    private ObjectNode prepare(Registry.Entry<Experiment> experiment, MatrixSpec.ExperimentEntry entry, MatrixSpec spec,
                               ResultStore store) {
        PreparationContext context = new PreparationContext() {
            @Override
            public Path folder() {
                return store.root().resolve("data").resolve(ResultStore.safe(entry.name()));
            }

            @Override
            public Path resolve(String path) {
                return spec.baseDir().resolve(path).normalize();
            }

            @Override
            public PrintWriter log() {
                return log;
            }
        };
        try {
            return experiment.extension().prepare(entry.params().deepCopy(), context);
        } catch (PlabException e) {
            throw e;
        } catch (Exception | LinkageError | AssertionError e) {
            throw PluginFailure.of("experiment '" + entry.id() + "': prepare", experiment.extension().getClass(),
                    experiment.origin(), e, null);
        }
    }

    /**
     * The key as it reads back from a result file: JSON numbers come back as the narrowest type (an int
     * written from a long reads as an int), and keys are compared as read.
     */
    private static ObjectNode asStored(ObjectNode key) {
        try {
            return (ObjectNode) ResultStore.JSON.readTree(key.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The loss spec with defaults filled in, or as given when its params do not resolve. */
    private JsonNode canonical(LossSpec spec) {
        try {
            LossFamily family = lab.losses().families().require(spec.id()).extension();
            return new LossSpec(spec.id(), family.params().resolve("loss '" + spec.id() + "'", spec.params()).json())
                    .json();
        } catch (PlabException e) {
            return spec.json();
        }
    }

    /**
     * Runs one cell into {@code dir}: its files are cleared first (a killed run may have left half of them)
     * but its state folder is kept, so a training cell resumes from its last checkpoint.
     */
    private CellRecord runCell(Cell cell, ResultStore store, Path dir, Path output) throws IOException {
        store.clear(dir);
        store.markRunning(dir, shard);
        Instant start = Instant.now();
        Provenance provenance = provenance(cell, start);
        CellRecord record;
        FolderCellState state = FolderCellState.open(dir.resolve(ResultStore.STATE));
        try (NDManager manager = lab.manager().newSubManager()) {
            manager.getEngine().setRandomSeed(provenance.engineSeed());
            try (Loss loss = lab.createLoss(cell.loss().spec(), manager);
                 CellContext context = new CellContext(manager, lab.settings().seed(), dir, state,
                         path -> cell.baseDir().resolve(path).normalize(), lab.losses(), lab.settings().weightsDir(),
                         ConsoleProgress::open)) {
                provenance = provenance.withLossSpec(loss.spec().json());
                ExperimentResult result = cell.experiment().extension().run(cell.params(), loss, context);
                Map<String, List<Double>> series = new LinkedHashMap<>(result.curves());
                series.putAll(state.metricsFile().series());
                Map<String, String> images = new LinkedHashMap<>();
                result.images().forEach((caption, file) -> images.put(caption, relative(output, dir.resolve(file))));
                record = CellRecord.done(cell.entry().name(), cell.loss().name(), cell.key(), result, images,
                        curves(series, dir, output, cell), ended(provenance, start));
            }
        } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
            // PlabExceptions name their fault; anything else the experiment threw is its plugin's fault.
            Throwable named = e instanceof PlabException ? e : PluginFailure.of("experiment '" + cell.entry().id()
                    + "': run", cell.experiment().extension().getClass(), cell.experiment().origin(), e, null);
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            Map<String, CellRecord.Curve> curves = curves(state.metricsFile().series(), dir, output, cell);
            record = CellRecord.failed(cell.entry().name(), cell.loss().name(), cell.key(), named.getMessage(),
                    trace.toString(), curves, ended(provenance, start));
        }
        store.write(dir, record);
        store.clearRunning(dir);
        return record;
    }

    private static Provenance ended(Provenance provenance, Instant start) {
        Instant end = Instant.now();
        return provenance.ended(end.toString(), Duration.between(start, end).toMillis() / 1000.0);
    }

    private Provenance provenance(Cell cell, Instant start) {
        long seed = lab.settings().seed();
        String lossPlugin = lab.losses().families().find(cell.loss().spec().id()).map(Registry.Entry::origin)
                .orElse(null);
        Engine engine = lab.manager().getEngine();
        return new Provenance(new Provenance.Component(cell.entry().id(), cell.params().json(),
                cell.experiment().origin()), new Provenance.LossComponent(cell.key().get("loss"), lossPlugin), seed,
                Long.hashCode(seed), cell.data(), Lab.VERSION, ApiVersion.CURRENT, Engine.getDjlVersion(),
                engine.getEngineName() + " " + engine.getVersion(), lab.manager().getDevice().toString(),
                lab.settings().threads(), System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"), lab.settings().commandLine(),
                pluginJars, cell.baseDir().toString(), start.toString(), null, 0);
    }

    /** Every loaded plugin's jar with its sha-256 and coordinates, so that another lab can pin it. */
    private List<Provenance.PluginJar> pluginJars(Map<String, PluginJar> jars) {
        return lab.plugins().plugins().stream().map(w -> {
            PluginJar jar = jars.get(PluginHost.origin(w));
            return new Provenance.PluginJar(w.getPluginId(), w.getDescriptor().getVersion(), w.getPluginPath().toString(),
                    jar == null ? null : jar.sha256(), jar == null ? null
                    : jar.coordinates().map(Coordinates::toString).orElse(null));
        }).toList();
    }

    /** Each series with its plot, written beside the cell's files. */
    private static Map<String, CellRecord.Curve> curves(Map<String, List<Double>> series, Path dir, Path output,
                                                       Cell cell) {
        Map<String, CellRecord.Curve> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<Double>> c : series.entrySet()) {
            Path png = dir.resolve("curve-" + ResultStore.safe(c.getKey()) + ".png");
            CurvePlot.write(png, cell.entry().name() + " / " + cell.loss().name(), c.getKey(),
                    Map.of(cell.loss().name(), c.getValue()));
            out.put(c.getKey(), new CellRecord.Curve(c.getValue(), relative(output, png)));
        }
        return out;
    }

    private static String relative(Path output, Path file) {
        return output.relativize(file).toString();
    }

    /** results.json, results.csv and report.html of {@code results}, each written atomically. */
    public static Path writeTables(String matrix, Path output, List<CellRecord> results, List<String> notes) {
        ObjectNode all = JsonNodeFactory.instance.objectNode();
        all.put("matrix", matrix);
        all.put("hostVersion", Lab.VERSION);
        ArrayNode n = all.putArray("notes");
        notes.forEach(n::add);
        all.set("cells", ResultStore.JSON.valueToTree(results));
        ResultStore.writeJson(output.resolve("results.json"), all);
        ResultStore.writeAtomically(output.resolve("results.csv"), Report.csv(results));
        Path report = output.resolve("report.html");
        ResultStore.writeAtomically(report, Report.html(matrix, results, notes, output));
        return report;
    }
}
