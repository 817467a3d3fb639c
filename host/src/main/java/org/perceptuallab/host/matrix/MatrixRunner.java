package org.perceptuallab.host.matrix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.PreparationContext;
import org.perceptuallab.api.Progress;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.PluginHost;
import org.perceptuallab.host.Settings;
import org.perceptuallab.host.report.Report;
import org.perceptuallab.host.share.Coordinates;
import org.perceptuallab.host.share.PluginJar;
import org.perceptuallab.host.share.PluginPins;
import org.perceptuallab.runtime.catalog.DidYouMean;
import org.perceptuallab.runtime.catalog.PluginFailure;
import org.perceptuallab.runtime.catalog.Registry;
import org.perceptuallab.runtime.cell.Preparation;

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
    /** The results folder's subfolder of derived data that cells share ({@code ExperimentContext.cacheFolder()}). */
    public static final String CACHE = "cache";
    private final Lab lab;
    private final PrintWriter log;
    private boolean retryFailed;
    private Shard shard = Shard.ALL;
    private int jobs = 1;
    private boolean cache = true;
    /** Where cells share derived data; null: the results folder's {@link #CACHE}. */
    private Path cacheFolder;
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

    /**
     * Runs up to {@code n} cells at once, each in a worker process of its own with 1/n of the threads
     * ({@link #defaultJobs}); 1 runs every cell in this process, one after another. More than the machine's
     * processors is that many, with a word in the log.
     */
    public MatrixRunner jobs(int n) {
        if (n < 1) {
            throw new PlabException("--jobs must be at least 1, got " + n);
        }
        this.jobs = Settings.atMostProcessors("--jobs", n, w -> log.println("note: " + w));
        return this;
    }

    /**
     * Whether cells share derived data through {@code OUTPUT/cache} (images decoded once per matrix); off,
     * each cell decodes its own. The figures are the same either way.
     */
    public MatrixRunner cache(boolean value) {
        this.cache = value;
        return this;
    }

    /** Cells share derived data in {@code folder} instead of the results folder's (benchmarks reuse one). */
    public MatrixRunner cacheFolder(Path folder) {
        this.cacheFolder = folder;
        return this;
    }

    /**
     * Cells at once by default: one per core up to 4 cores, then one per 2 cores. A cell's engine work
     * scales well to 2 threads but not far beyond on the small tensors of a matrix (64x64 images, batches
     * of 32), while its Java work (decoding, bootstrap, figures, k-medoids) runs on one thread; so on a few
     * cores each cell gets one, and on many cores two (README, Throughput).
     */
    public static int defaultJobs(int cores) {
        return cores <= 4 ? Math.max(1, cores) : cores / 2;
    }

    /** What a run produced: the report, and this process's cells (done, failed, kept from before). */
    public record Outcome(Path report, int done, int failed, int skipped) {
    }

    /** A planned cell; {@code id} is derived from its key. */
    private record Cell(MatrixSpec.ExperimentEntry entry, Registry.Entry<Experiment> experiment, Params params,
                        ObjectNode data, MatrixSpec.LossEntry loss, ObjectNode key, Path baseDir, String id) {
        CellJob job(ResultStore store) {
            return new CellJob(id, entry.name(), entry.id(), params.json(), data, loss.name(), loss.spec().json(), key,
                    baseDir.toString(), dir(store, this).toString());
        }
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
        List<Cell> cells = plan(spec, store, notes);
        Map<String, String> experimentNotes = new LinkedHashMap<>();
        spec.experiments().stream().filter(e -> e.note() != null).forEach(e -> experimentNotes.put(e.name(), e.note()));
        Map<String, CellRecord> known = new LinkedHashMap<>();
        Map<String, Double> measured = new HashMap<>();
        // Records present but not kept (edited, of another layout version): why, said when the cell runs again.
        Map<String, String> distrusted = new HashMap<>();
        for (Cell c : cells) {
            ResultStore.Stored stored = store.load(dir(store, c));
            if (stored.distrust() != null) {
                distrusted.put(c.id(), stored.distrust());
            }
            stored.record().filter(r -> c.key().equals(r.key())).ifPresent(r -> {
                known.put(c.id(), r);
                measured.put(c.id(), r.seconds());
            });
        }
        Map<String, Integer> owners = ShardPlan.loadOrCreate(output, spec.name(), notes, experimentNotes, cells.stream()
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
        Map<String, String> labels = new HashMap<>();
        for (int i = 0; i < mine.size(); i++) {
            labels.put(mine.get(i).id(), String.format(Locale.ROOT, "[%d/%d] %s x %s", i + 1, mine.size(),
                    mine.get(i).entry().name(), mine.get(i).loss().name()));
        }
        Deque<Cell> queue = new ArrayDeque<>();
        // The tables are written after every cell: each warning of the report is said once.
        Set<String> warned = new HashSet<>();
        Consumer<String> warnOnce = w -> {
            if (warned.add(w)) {
                log.println("warning: " + w);
            }
        };
        try (Progress overall = ConsoleProgress.open("matrix " + spec.name(), mine.size())) {
            for (Cell cell : mine) {
                CellRecord stored = known.get(cell.id());
                if (stored != null && (!retryFailed || stored.isDone())) {
                    skipped++;
                    log.println(labels.get(cell.id()) + ": " + stored.status() + " before, kept" + (stored.isDone()
                            ? "" : " (" + stored.error() + "); --retry-failed runs it again"));
                    if (stored.isDone()) {
                        done++;
                    } else {
                        failed++;
                    }
                    overall.step(1);
                } else {
                    if (distrusted.containsKey(cell.id())) {
                        log.println(labels.get(cell.id()) + ": stored result not kept: " + distrusted.get(cell.id())
                                + "; running the cell again");
                    }
                    queue.add(cell);
                }
            }
            if (skipped > 0) {
                writeTables(spec.name(), output, present(store, cells, known, owners), notes, experimentNotes, warnOnce);
            }
            int parallel = Math.min(jobs, queue.size());
            if (parallel > 1) {
                // Longest first, so that the last cells to end are short ones and no worker waits long idle.
                List<Cell> byCost = new ArrayList<>(queue);
                byCost.sort(Comparator.comparingDouble((Cell c) -> -measured.getOrDefault(c.id(),
                        ShardPlan.modelCost(c.loss().spec().id(), c.params().json(), c.data()))));
                queue = new ArrayDeque<>(byCost);
            }
            Path shared = !cache ? null : cacheFolder != null ? cacheFolder : output.resolve(CACHE);
            try (CellSlots slots = parallel > 1 ? new WorkerSlots(store, parallel, shared, output, labels, overall)
                    : new InProcessSlots(new CellExecutor(lab, store, shard, shared, pluginJars), store)) {
                // Cells end in any order; each is stored by whoever ran it, then tabled here.
                BlockingQueue<Cell> ended = new LinkedBlockingQueue<>();
                Map<String, CompletableFuture<CellRecord>> running = new HashMap<>();
                while (!queue.isEmpty() || !running.isEmpty()) {
                    while (running.size() < Math.max(1, parallel) && !queue.isEmpty()) {
                        Cell cell = queue.poll();
                        running.put(cell.id(), slots.start(cell).whenComplete((r, e) -> ended.add(cell)));
                    }
                    Cell cell = take(ended);
                    CellRecord record = running.remove(cell.id()).join();
                    log.println(labels.get(cell.id()) + ": " + record.status() + String.format(Locale.ROOT,
                            " in %.1f s", record.seconds()) + (record.isDone() ? "" : " (" + record.error() + ")"));
                    log.flush();
                    if (record.isDone()) {
                        done++;
                    } else {
                        failed++;
                    }
                    known.put(cell.id(), record);
                    writeTables(spec.name(), output, present(store, cells, known, owners), notes, experimentNotes, warnOnce);
                    overall.step(1);
                }
            }
        }
        // After each cell the tables were written; a shard with no cells of its own writes them once here.
        Path report = mine.isEmpty()
                ? writeTables(spec.name(), output, present(store, cells, known, owners), notes, experimentNotes, warnOnce)
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

    /**
     * The losses a choice names; with {@code all}, every family not excepted whose parameters have defaults.
     * {@code matrix} holds the matrix's losses when the choice is an experiment's: a bare id there means the
     * matrix's loss of that name, else its only loss of that id (see {@link MatrixSpec}).
     */
    private List<MatrixSpec.LossEntry> losses(String where, MatrixSpec.LossChoice choice,
                                              List<MatrixSpec.LossEntry> matrix, List<String> notes) {
        if (!choice.all()) {
            return choice.listed().stream().map(l -> matrixLoss(l, matrix)).toList();
        }
        List<String> installed = lab.losses().families().entries().stream().map(e -> e.extension().id()).toList();
        for (String id : choice.except()) {
            if (!installed.contains(id)) {
                throw new PlabException(where + ": 'losses.except' names '" + id + "', which is"
                        + " not an installed loss" + DidYouMean.suggestion(id, installed) + "; correct or remove it"
                        + " (installed: " + String.join(", ", installed) + ")");
            }
        }
        List<MatrixSpec.LossEntry> out = new ArrayList<>();
        for (Registry.Entry<LossFamily> e : lab.losses().families().entries()) {
            String id = e.extension().id();
            if (choice.except().contains(id)) {
                noteOnce(notes, "loss '" + id + "' left out of 'all' by the 'except' list of " + where);
                continue;
            }
            ObjectNode given = choice.allParams().get(id);
            try {
                e.extension().params().resolve("loss '" + id + "'", given);
                LossSpec loss = new LossSpec(id, given);
                out.add(new MatrixSpec.LossEntry(loss.toString(), loss));
            } catch (PlabException needsParams) {
                noteOnce(notes, "loss '" + id + "' left out of 'all': " + needsParams.getMessage()
                        + "; give its params under 'losses: {all: true, params: {" + id + ": {...}}}' to include it");
            }
        }
        for (String id : choice.allParams().keySet()) {
            lab.losses().families().require(id);
        }
        if (out.isEmpty()) {
            throw new PlabException("no losses installed (is the plugins folder set? see 'plab losses')");
        }
        return out;
    }

    /** An experiment's loss as the matrix defines it, where it names one of the matrix's by a bare id. */
    private static MatrixSpec.LossEntry matrixLoss(MatrixSpec.LossEntry loss, List<MatrixSpec.LossEntry> matrix) {
        boolean bare = loss.spec().params().isEmpty() && loss.name().equals(loss.spec().id());
        if (!bare) {
            return loss;
        }
        List<MatrixSpec.LossEntry> named = matrix.stream().filter(m -> m.name().equals(loss.name())).toList();
        List<MatrixSpec.LossEntry> ofId = matrix.stream().filter(m -> m.spec().id().equals(loss.spec().id())).toList();
        return !named.isEmpty() ? named.get(0) : ofId.size() == 1 ? ofId.get(0) : loss;
    }

    private static void noteOnce(List<String> notes, String note) {
        if (!notes.contains(note)) {
            notes.add(note);
        }
    }

    private List<Cell> plan(MatrixSpec spec, ResultStore store, List<String> notes) {
        List<MatrixSpec.LossEntry> matrixLosses = losses("matrix " + spec.name(), spec.losses(), List.of(), notes);
        List<Cell> cells = new ArrayList<>();
        Map<String, ObjectNode> dataIds = new HashMap<>();
        for (MatrixSpec.ExperimentEntry entry : spec.experiments()) {
            Registry.Entry<Experiment> experiment = lab.experiments().require(entry.id());
            List<MatrixSpec.LossEntry> losses = entry.losses() == null ? matrixLosses
                    : losses("experiment '" + entry.name() + "' of matrix " + spec.name(), entry.losses(), matrixLosses,
                    notes);
            ObjectNode given = prepare(experiment, entry, spec, store);
            Params params = experiment.extension().params().resolve("experiment '" + entry.name() + "'", given);
            ObjectNode data = null;
            if (params.json().hasNonNull("data")) {
                Path path = spec.baseDir().resolve(params.json().get("data").asText()).normalize();
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
        PreparationContext context = new Preparation(store.root().resolve("data").resolve(ResultStore.safe(entry.name())),
                path -> spec.baseDir().resolve(path).normalize(), log);
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

    private static Cell take(BlockingQueue<Cell> ended) {
        try {
            return ended.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlabException("the matrix run was interrupted; run it again to continue (finished cells are kept)");
        }
    }

    /** Where cells run: here one after another, or in worker processes side by side. */
    private interface CellSlots extends AutoCloseable {
        /** Starts the cell; the future gives its stored record. */
        CompletableFuture<CellRecord> start(Cell cell) throws IOException;

        @Override
        void close();
    }

    /** Each cell in this process, to its end, with progress bars of its own. */
    private record InProcessSlots(CellExecutor executor, ResultStore store) implements CellSlots {
        @Override
        public CompletableFuture<CellRecord> start(Cell cell) throws IOException {
            return CompletableFuture.completedFuture(executor.run(cell.job(store), ConsoleProgress::open));
        }

        @Override
        public void close() {
        }
    }

    /**
     * Each cell in a worker process, the threads split between them; the matrix bar shows the running cells'
     * progress. A worker that dies leaves its cell failed, with the reason, in the store.
     */
    private final class WorkerSlots implements CellSlots {
        private final ResultStore store;
        private final CellWorkers workers;
        private final java.util.Timer ticker = new java.util.Timer("plab-matrix-progress", true);

        WorkerSlots(ResultStore store, int parallel, Path cacheFolder, Path output, Map<String, String> labels,
                    Progress overall) {
            this.store = store;
            Settings settings = lab.settings();
            int threads = Math.max(1, (settings.threads() > 0 ? settings.threads()
                    : Runtime.getRuntime().availableProcessors()) / parallel);
            CellWorker.Start start = new CellWorker.Start(settings.pluginDirs().stream().map(Path::toString).toList(),
                    settings.home().toString(), settings.weightsDir() == null ? null : settings.weightsDir().toString(),
                    settings.device(), threads, settings.seed(), settings.commandLine(), output.toString(),
                    shard.toString(), cacheFolder == null ? null : cacheFolder.toString(), pluginJars);
            this.workers = new CellWorkers(start, parallel, log);
            log.println(parallel + " cells at once, " + threads + " engine thread" + (threads == 1 ? "" : "s")
                    + " each");
            ticker.schedule(new java.util.TimerTask() {
                @Override
                public void run() {
                    overall.status(workers.status(labels));
                }
            }, 500, 500);
        }

        @Override
        public CompletableFuture<CellRecord> start(Cell cell) throws IOException {
            return workers.submit(cell.job(store)).handle((ok, died) -> {
                if (died == null) {
                    Optional<CellRecord> record = stored(store, cell);
                    if (record.isPresent()) {
                        return record.get();
                    }
                }
                String why = died != null ? died.getCause() != null ? died.getCause().getMessage() : died.getMessage()
                        : "its worker process reported the cell ended but stored no result";
                CellRecord record = CellRecord.failed(cell.entry().name(), cell.loss().name(), cell.key(), why, null,
                        Map.of(), null);
                Path dir = dir(store, cell);
                store.write(dir, record);
                try {
                    store.clearRunning(dir);
                } catch (IOException e) {
                    log.println("warning: cannot remove " + dir.resolve(ResultStore.RUNNING) + ": " + e.getMessage());
                }
                return record;
            });
        }

        @Override
        public void close() {
            ticker.cancel();
            workers.close();
        }
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

    /**
     * results.json, results.csv and report.html of {@code results}, each written atomically; {@code warnings}
     * hears what the report left out (an image path leading out of the folder, say).
     */
    public static Path writeTables(String matrix, Path output, List<CellRecord> results, List<String> notes,
                                   Map<String, String> experimentNotes, Consumer<String> warnings) {
        ObjectNode all = JsonNodeFactory.instance.objectNode();
        all.put("matrix", matrix);
        all.put("hostVersion", Lab.VERSION);
        ArrayNode n = all.putArray("notes");
        notes.forEach(n::add);
        ObjectNode byExperiment = all.putObject("experimentNotes");
        experimentNotes.forEach(byExperiment::put);
        all.set("cells", ResultStore.JSON.valueToTree(results));
        ResultStore.writeJson(output.resolve("results.json"), all);
        ResultStore.writeAtomically(output.resolve("results.csv"), Report.csv(results));
        Path report = output.resolve("report.html");
        ResultStore.writeAtomically(report, Report.html(matrix, results, notes, experimentNotes, output, warnings));
        return report;
    }
}
