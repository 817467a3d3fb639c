package org.perceptuallab.host.matrix;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.perceptuallab.api.ApiVersion;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.ExperimentResult;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.Progress;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.provenance.Provenance;
import org.perceptuallab.host.report.CurvePlot;
import org.perceptuallab.host.run.CellOutcome;
import org.perceptuallab.host.run.CellPlan;
import org.perceptuallab.host.run.Shard;
import org.perceptuallab.runtime.catalog.PluginFailure;
import org.perceptuallab.runtime.catalog.Registry;
import org.perceptuallab.runtime.cell.CellContext;
import org.perceptuallab.runtime.cell.FolderCellState;

/**
 * Runs one planned cell and stores its outcome, in the planning process ({@code --jobs 1}) or in a worker
 * process: its files are cleared first (a killed run may have left half of them) but its state folder is
 * kept, so a training cell resumes from its last checkpoint; the outcome is written atomically when the cell
 * ends, done or failed, with its provenance built once from what the run knows.
 */
final class CellExecutor {
    private final Lab lab;
    private final ResultStore store;
    private final Shard shard;
    private final Path cacheFolder;
    private final List<Provenance.LoadedPlugin> plugins;
    /** What ran the cells: the same for every cell of this process. */
    private final Provenance.Software software;

    /**
     * @param cacheFolder the folder cells share for derived data (decoded images), or null: none
     * @param plugins every loaded plugin, for provenance
     */
    CellExecutor(Lab lab, ResultStore store, Shard shard, Path cacheFolder, List<Provenance.LoadedPlugin> plugins) {
        this.lab = lab;
        this.store = store;
        this.shard = shard;
        this.cacheFolder = cacheFolder;
        this.plugins = plugins;
        Engine engine = lab.manager().getEngine();
        this.software = new Provenance.Software(Lab.VERSION, ApiVersion.CURRENT, Engine.getDjlVersion(),
                engine.getEngineName() + " " + engine.getVersion(), System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    }

    /** Runs the cell with these progress indicators and returns its stored outcome. */
    CellOutcome run(CellPlan cell, BiFunction<String, Long, Progress> progress) throws IOException {
        Path dir = cell.dir();
        Registry.Entry<Experiment> experiment = lab.experiments().require(cell.experiment());
        store.clear(dir);
        store.markRunning(dir, shard);
        Instant start = Instant.now();
        // The loss's spec as the built loss states it, where it was built; the plan's until then.
        JsonNode lossSpec = cell.loss();
        CellOutcome outcome;
        FolderCellState state = FolderCellState.open(dir.resolve(ResultStore.STATE));
        try (NDManager manager = lab.manager().newSubManager()) {
            manager.getEngine().setRandomSeed(Long.hashCode(cell.seed()));
            Params params = experiment.extension().params().resolve("experiment '" + cell.experimentName() + "'",
                    cell.params());
            try (Loss loss = lab.createLoss(cell.lossSpec(), manager, cell.seed());
                 CellContext context = new CellContext(manager, cell.seed(), dir, state,
                         path -> cell.baseDir().resolve(path).normalize(), lab.losses(), lab.settings().weightsDir(),
                         progress, cacheFolder)) {
                lossSpec = loss.spec().json();
                ExperimentResult result = experiment.extension().run(params, loss, context);
                Map<String, List<Double>> series = new LinkedHashMap<>(result.curves());
                series.putAll(state.metricsFile().series());
                Map<String, String> images = new LinkedHashMap<>();
                result.images().forEach((caption, file) -> images.put(caption, relative(dir.resolve(file))));
                outcome = CellOutcome.Done.of(cell.experimentName(), cell.lossName(), cell.key(), result, images,
                        curves(series, cell), provenance(cell, experiment, lossSpec, start));
            }
        } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
            // PlabExceptions name their fault; anything else the experiment threw is its plugin's fault.
            Throwable named = e instanceof PlabException ? e : PluginFailure.of("experiment '" + cell.experiment()
                    + "': run", experiment.extension().getClass(), experiment.origin(), e, null);
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            outcome = new CellOutcome.Failed(cell.experimentName(), cell.lossName(), cell.key(), named.getMessage(),
                    trace.toString(), curves(state.metricsFile().series(), cell),
                    provenance(cell, experiment, lossSpec, start));
        }
        store.write(dir, outcome);
        store.clearRunning(dir);
        return outcome;
    }

    private Provenance provenance(CellPlan cell, Registry.Entry<Experiment> experiment, JsonNode lossSpec,
                                  Instant start) {
        String lossPlugin = lab.losses().families().find(cell.lossSpec().id()).map(Registry.Entry::origin)
                .orElse(null);
        return new Provenance(new Provenance.Component(cell.experiment(), cell.params(), experiment.origin()),
                new Provenance.LossComponent(lossSpec, lossPlugin),
                new Provenance.Run(cell.seed(), Long.hashCode(cell.seed()), cell.data(),
                        lab.manager().getDevice().toString(), lab.settings().threads(), lab.settings().commandLine(),
                        cell.baseDir().toString()), software, Provenance.Timing.since(start), plugins);
    }

    /** Each series with its plot, written beside the cell's files. */
    private Map<String, CellOutcome.Curve> curves(Map<String, List<Double>> series, CellPlan cell) {
        Map<String, CellOutcome.Curve> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<Double>> c : series.entrySet()) {
            Path png = cell.dir().resolve("curve-" + ResultStore.safe(c.getKey()) + ".png");
            CurvePlot.write(png, cell.experimentName() + " / " + cell.lossName(), c.getKey(),
                    Map.of(cell.lossName(), c.getValue()));
            out.put(c.getKey(), new CellOutcome.Curve(c.getValue(), relative(png)));
        }
        return out;
    }

    private String relative(Path file) {
        return store.root().relativize(file).toString();
    }
}
