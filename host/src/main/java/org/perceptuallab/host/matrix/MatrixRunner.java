package org.perceptuallab.host.matrix;

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
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.Progress;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.Settings;
import org.perceptuallab.host.provenance.LoadedPlugins;
import org.perceptuallab.host.report.ResultFiles;
import org.perceptuallab.host.run.CellOutcome;
import org.perceptuallab.host.run.CellPlan;
import org.perceptuallab.host.run.RunConfiguration;

/**
 * Runs every (experiment, loss) cell of a matrix, or one shard's share of them. A cell's outcome is stored the
 * moment it ends, in a folder named by the cell and a hash of its key (experiment id and canonical params,
 * canonical loss spec, seed, data hash); a cell whose stored outcome has the same key is kept, so a run started
 * again after a kill continues where it stopped, and shards of one matrix share one results folder without
 * colliding ({@link ShardPlan} says which shard runs which cell). Plan ({@link MatrixPlanner}), run
 * ({@link CellExecutor}, here or in worker processes), store ({@link ResultStore}), report ({@link ResultFiles}):
 * each cell is one {@link CellPlan} and then one {@link CellOutcome}; after each cell the tables and the report
 * are written from the outcomes this process holds (and, for other shards' cells, what the folder holds).
 */
public final class MatrixRunner {
    private final Lab lab;
    private final PrintWriter log;

    /**
     * @param lab the runtime the cells run on (in this process; workers start their own from the configuration)
     * @param log where one line per cell goes
     */
    public MatrixRunner(Lab lab, PrintWriter log) {
        this.lab = lab;
        this.log = log;
    }

    /**
     * What a run produced: the report, every planned cell's outcome in plan order, and this process's counts
     * (done, failed, kept from before).
     */
    public record Result(Path report, List<CellOutcome> outcomes, int done, int failed, int skipped) {
    }

    /** Runs the matrix into {@code output} with the lab's settings, one cell at a time, stored failures kept. */
    public Result run(MatrixSpec spec, Path output) throws IOException {
        return run(spec, RunConfiguration.of(lab.settings(), output));
    }

    /** Runs the matrix as configured. */
    public Result run(MatrixSpec spec, RunConfiguration config) throws IOException {
        Path output = config.output();
        ResultStore store = new ResultStore(output);
        try {
            Files.createDirectories(output);
        } catch (IOException | SecurityException e) {
            throw new PlabException("cannot create the output folder " + output.toAbsolutePath() + " (" + e
                    + "); choose a folder you can write with --out (or the matrix file's 'output')");
        }
        LoadedPlugins plugins = LoadedPlugins.of(lab.plugins());
        spec.requirePinsMet(plugins);
        MatrixPlanner.Plan plan = new MatrixPlanner(lab, log).plan(spec, store, config.settings().seed());
        List<CellPlan> cells = plan.cells();
        Map<String, CellOutcome> known = new LinkedHashMap<>();
        Map<String, Double> measured = new HashMap<>();
        // Records present but not kept (edited, of another layout version): why, said when the cell runs again.
        Map<String, String> distrusted = new HashMap<>();
        for (CellPlan c : cells) {
            ResultStore.Stored stored = store.load(c.dir());
            if (stored.distrust() != null) {
                distrusted.put(c.id(), stored.distrust());
            }
            stored.record().filter(r -> c.key().equals(r.key())).ifPresent(r -> {
                known.put(c.id(), r);
                measured.put(c.id(), r.seconds());
            });
        }
        Map<String, Integer> owners = ShardPlan.loadOrCreate(output, spec.name(), plan.notes(), plan.experimentNotes(),
                cells.stream().map(c -> new ShardPlan.Item(c.id(), c.experimentName(), c.lossName(), c.experiment(),
                        c.lossSpec().id(), ShardPlan.modelCost(c.lossSpec().id(), c.params(), c.data()))).toList(),
                config.shard().count(), measured);
        List<CellPlan> mine = cells.stream().filter(c -> owners.get(c.id()) == config.shard().index()).toList();
        if (config.shard().count() > 1) {
            log.println("shard " + config.shard() + ": " + mine.size() + " of the matrix's " + cells.size() + " cells");
        }
        Map<String, String> labels = new HashMap<>();
        for (int i = 0; i < mine.size(); i++) {
            labels.put(mine.get(i).id(), String.format(Locale.ROOT, "[%d/%d] %s", i + 1, mine.size(),
                    mine.get(i).label()));
        }
        // The tables are written after every cell: each warning of the report is said once.
        Set<String> warned = new HashSet<>();
        Consumer<String> warnOnce = w -> {
            if (warned.add(w)) {
                log.println("warning: " + w);
            }
        };
        Runnable writeTables = () -> ResultFiles.write(output, spec.name(), present(store, cells, known, owners,
                config.shard().index()), plan.notes(), plan.experimentNotes(), warnOnce);
        int done = 0;
        int failed = 0;
        int skipped = 0;
        Deque<CellPlan> queue = new ArrayDeque<>();
        try (Progress overall = ConsoleProgress.open("matrix " + spec.name(), mine.size())) {
            for (CellPlan cell : mine) {
                CellOutcome stored = known.get(cell.id());
                if (stored != null && (!config.retryFailed() || stored instanceof CellOutcome.Done)) {
                    skipped++;
                    log.println(labels.get(cell.id()) + ": " + stored.status() + " before, kept"
                            + (stored instanceof CellOutcome.Failed f ? " (" + f.error() + "); --retry-failed runs it"
                            + " again" : ""));
                    if (stored instanceof CellOutcome.Done) {
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
                writeTables.run();
            }
            int parallel = Math.min(config.jobs(), queue.size());
            if (parallel > 1) {
                // Longest first, so that the last cells to end are short ones and no worker waits long idle.
                List<CellPlan> byCost = new ArrayList<>(queue);
                byCost.sort(Comparator.comparingDouble((CellPlan c) -> -measured.getOrDefault(c.id(),
                        ShardPlan.modelCost(c.lossSpec().id(), c.params(), c.data()))));
                queue = new ArrayDeque<>(byCost);
            }
            try (CellSlots slots = parallel > 1 ? new WorkerSlots(store, config, parallel, plugins, labels, overall)
                    : new InProcessSlots(new CellExecutor(lab, store, config.shard(), config.cacheFolder(),
                    plugins.provenance()))) {
                // Cells end in any order; each is stored by whoever ran it, then tabled here.
                BlockingQueue<CellPlan> ended = new LinkedBlockingQueue<>();
                Map<String, CompletableFuture<CellOutcome>> running = new HashMap<>();
                while (!queue.isEmpty() || !running.isEmpty()) {
                    while (running.size() < Math.max(1, parallel) && !queue.isEmpty()) {
                        CellPlan cell = queue.poll();
                        running.put(cell.id(), slots.start(cell).whenComplete((r, e) -> ended.add(cell)));
                    }
                    CellPlan cell = take(ended);
                    CellOutcome outcome = running.remove(cell.id()).join();
                    log.println(labels.get(cell.id()) + ": " + outcome.status() + String.format(Locale.ROOT,
                            " in %.1f s", outcome.seconds()) + (outcome instanceof CellOutcome.Failed f
                            ? " (" + f.error() + ")" : ""));
                    log.flush();
                    if (outcome instanceof CellOutcome.Done) {
                        done++;
                    } else {
                        failed++;
                    }
                    known.put(cell.id(), outcome);
                    writeTables.run();
                    overall.step(1);
                }
            }
        }
        List<CellOutcome> outcomes = present(store, cells, known, owners, config.shard().index());
        // After each cell the tables were written; a shard with no cells of its own writes them once here.
        if (mine.isEmpty()) {
            writeTables.run();
        }
        return new Result(output.resolve(ResultFiles.REPORT), outcomes, done, failed, skipped);
    }

    /** The cell's stored outcome, where one of this very configuration is in its folder. */
    private static Optional<CellOutcome> stored(ResultStore store, CellPlan cell) {
        return store.read(cell.dir()).filter(r -> cell.key().equals(r.key()));
    }

    /**
     * Every planned cell in plan order: its outcome where this process knows it, else (other shards' cells)
     * what the folder holds now, else a placeholder saying it is running or missing.
     */
    private static List<CellOutcome> present(ResultStore store, List<CellPlan> cells, Map<String, CellOutcome> known,
                                             Map<String, Integer> owners, int shard) {
        List<CellOutcome> out = new ArrayList<>();
        for (CellPlan c : cells) {
            CellOutcome outcome = known.get(c.id());
            if (outcome == null && owners.get(c.id()) != shard) {
                outcome = stored(store, c).orElse(null);
            }
            out.add(outcome != null ? outcome : store.placeholder(c.dir(), c.experimentName(), c.lossName(), c.key(),
                    owners.get(c.id())));
        }
        return out;
    }

    private static CellPlan take(BlockingQueue<CellPlan> ended) {
        try {
            return ended.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlabException("the matrix run was interrupted; run it again to continue (finished cells are kept)");
        }
    }

    /** Where cells run: here one after another, or in worker processes side by side. */
    private interface CellSlots extends AutoCloseable {
        /** Starts the cell; the future gives its stored outcome. */
        CompletableFuture<CellOutcome> start(CellPlan cell) throws IOException;

        @Override
        void close();
    }

    /** Each cell in this process, to its end, with progress bars of its own. */
    private record InProcessSlots(CellExecutor executor) implements CellSlots {
        @Override
        public CompletableFuture<CellOutcome> start(CellPlan cell) throws IOException {
            return CompletableFuture.completedFuture(executor.run(cell, ConsoleProgress::open));
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

        WorkerSlots(ResultStore store, RunConfiguration config, int parallel, LoadedPlugins plugins,
                    Map<String, String> labels, Progress overall) {
            this.store = store;
            Settings settings = config.settings();
            int threads = Math.max(1, (settings.threads() > 0 ? settings.threads()
                    : Runtime.getRuntime().availableProcessors()) / parallel);
            this.workers = new CellWorkers(new CellWorker.Start(config.withSettings(settings.withThreads(threads)),
                    plugins.provenance()), parallel, log);
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
        public CompletableFuture<CellOutcome> start(CellPlan cell) throws IOException {
            return workers.submit(cell).handle((ok, died) -> {
                if (died == null) {
                    Optional<CellOutcome> outcome = stored(store, cell);
                    if (outcome.isPresent()) {
                        return outcome.get();
                    }
                }
                String why = died != null ? died.getCause() != null ? died.getCause().getMessage() : died.getMessage()
                        : "its worker process reported the cell ended but stored no result";
                CellOutcome outcome = new CellOutcome.Failed(cell.experimentName(), cell.lossName(), cell.key(), why,
                        null, Map.of(), null);
                store.write(cell.dir(), outcome);
                try {
                    store.clearRunning(cell.dir());
                } catch (IOException e) {
                    log.println("warning: cannot remove " + cell.dir().resolve(ResultStore.RUNNING) + ": "
                            + e.getMessage());
                }
                return outcome;
            });
        }

        @Override
        public void close() {
            ticker.cancel();
            workers.close();
        }
    }
}
