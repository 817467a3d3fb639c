package org.perceptuallab.host.matrix;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.perceptuallab.api.ApiVersion;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.ExperimentResult;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.Progress;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.report.CurvePlot;
import org.perceptuallab.runtime.catalog.PluginFailure;
import org.perceptuallab.runtime.catalog.Registry;
import org.perceptuallab.runtime.cell.CellContext;
import org.perceptuallab.runtime.cell.FolderCellState;

/**
 * Runs one planned cell and stores its record, in the planning process ({@code --jobs 1}) or in a worker
 * process: its files are cleared first (a killed run may have left half of them) but its state folder is
 * kept, so a training cell resumes from its last checkpoint; the record is written atomically when the cell
 * ends, done or failed.
 */
final class CellExecutor {
    private final Lab lab;
    private final ResultStore store;
    private final Shard shard;
    private final Path cacheFolder;
    private final List<Provenance.PluginJar> pluginJars;

    /**
     * @param cacheFolder the folder cells share for derived data (decoded images), or null: none
     * @param pluginJars every loaded plugin's jar, for provenance
     */
    CellExecutor(Lab lab, ResultStore store, Shard shard, Path cacheFolder, List<Provenance.PluginJar> pluginJars) {
        this.lab = lab;
        this.store = store;
        this.shard = shard;
        this.cacheFolder = cacheFolder;
        this.pluginJars = pluginJars;
    }

    /** Runs the cell with these progress indicators and returns its stored record. */
    CellRecord run(CellJob job, BiFunction<String, Long, Progress> progress) throws IOException {
        Path dir = Path.of(job.dir());
        Path baseDir = Path.of(job.baseDir());
        Registry.Entry<Experiment> experiment = lab.experiments().require(job.experiment());
        LossSpec lossSpec = LossSpec.parse("cell " + job.id() + " ", job.lossSpec());
        store.clear(dir);
        store.markRunning(dir, shard);
        Instant start = Instant.now();
        Provenance provenance = provenance(job, experiment, lossSpec, baseDir, start);
        CellRecord record;
        FolderCellState state = FolderCellState.open(dir.resolve(ResultStore.STATE));
        try (NDManager manager = lab.manager().newSubManager()) {
            manager.getEngine().setRandomSeed(provenance.engineSeed());
            Params params = experiment.extension().params().resolve("experiment '" + job.entry() + "'", job.params());
            try (Loss loss = lab.createLoss(lossSpec, manager);
                 CellContext context = new CellContext(manager, lab.settings().seed(), dir, state,
                         path -> baseDir.resolve(path).normalize(), lab.losses(), lab.settings().weightsDir(),
                         progress, cacheFolder)) {
                provenance = provenance.withLossSpec(loss.spec().json());
                ExperimentResult result = experiment.extension().run(params, loss, context);
                Map<String, List<Double>> series = new LinkedHashMap<>(result.curves());
                series.putAll(state.metricsFile().series());
                Map<String, String> images = new LinkedHashMap<>();
                result.images().forEach((caption, file) -> images.put(caption, relative(dir.resolve(file))));
                record = CellRecord.done(job.entry(), job.loss(), job.key(), result, images,
                        curves(series, dir, job), ended(provenance, start));
            }
        } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
            // PlabExceptions name their fault; anything else the experiment threw is its plugin's fault.
            Throwable named = e instanceof PlabException ? e : PluginFailure.of("experiment '" + job.experiment()
                    + "': run", experiment.extension().getClass(), experiment.origin(), e, null);
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            record = CellRecord.failed(job.entry(), job.loss(), job.key(), named.getMessage(), trace.toString(),
                    curves(state.metricsFile().series(), dir, job), ended(provenance, start));
        }
        store.write(dir, record);
        store.clearRunning(dir);
        return record;
    }

    private static Provenance ended(Provenance provenance, Instant start) {
        Instant end = Instant.now();
        return provenance.ended(end.toString(), Duration.between(start, end).toMillis() / 1000.0);
    }

    private Provenance provenance(CellJob job, Registry.Entry<Experiment> experiment, LossSpec lossSpec, Path baseDir,
                                  Instant start) {
        long seed = lab.settings().seed();
        String lossPlugin = lab.losses().families().find(lossSpec.id()).map(Registry.Entry::origin).orElse(null);
        Engine engine = lab.manager().getEngine();
        return new Provenance(new Provenance.Component(job.experiment(), job.params(), experiment.origin()),
                new Provenance.LossComponent(job.key().get("loss"), lossPlugin), seed, Long.hashCode(seed),
                job.data(), Lab.VERSION, ApiVersion.CURRENT, Engine.getDjlVersion(),
                engine.getEngineName() + " " + engine.getVersion(), lab.manager().getDevice().toString(),
                lab.settings().threads(), System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"), lab.settings().commandLine(),
                pluginJars, baseDir.toString(), start.toString(), null, 0);
    }

    /** Each series with its plot, written beside the cell's files. */
    private Map<String, CellRecord.Curve> curves(Map<String, List<Double>> series, Path dir, CellJob job) {
        Map<String, CellRecord.Curve> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<Double>> c : series.entrySet()) {
            Path png = dir.resolve("curve-" + ResultStore.safe(c.getKey()) + ".png");
            CurvePlot.write(png, job.entry() + " / " + job.loss(), c.getKey(), Map.of(job.loss(), c.getValue()));
            out.put(c.getKey(), new CellRecord.Curve(c.getValue(), relative(png)));
        }
        return out;
    }

    private String relative(Path file) {
        return store.root().relativize(file).toString();
    }
}
