package org.perceptuallab.runtime.cell;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.perceptuallab.api.ExperimentContext;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossFactory;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Progress;
import org.perceptuallab.runtime.catalog.LabContext;

/**
 * The context of one cell, for the host and for tests alike. It owns the further losses the experiment
 * asks for and the state's metrics file, and releases them on {@link #close()}; the cell's manager
 * belongs to the caller.
 */
public final class CellContext implements ExperimentContext, AutoCloseable {
    private final NDManager manager;
    private final long seed;
    private final Path outputDir;
    private final FolderCellState state;
    private final Function<String, Path> resolver;
    private final LossFactory losses;
    private final Path weightsDir;
    private final BiFunction<String, Long, Progress> progress;
    private final Path cacheFolder;
    private final Deque<AutoCloseable> owned = new ArrayDeque<>();

    /**
     * @param resolver turns a data path of the parameters into a file (relative to the matrix file)
     * @param weightsDir the user's weights folder for further losses, or null
     * @param progress makes a progress indicator for a task and its total
     * @param cacheFolder the folder cells share for derived data ({@link #cacheFolder()}), or null: none
     */
    public CellContext(NDManager manager, long seed, Path outputDir, FolderCellState state,
                       Function<String, Path> resolver, LossFactory losses, Path weightsDir,
                       BiFunction<String, Long, Progress> progress, Path cacheFolder) {
        this.manager = manager;
        this.seed = seed;
        this.outputDir = outputDir;
        this.state = state;
        this.resolver = resolver;
        this.losses = losses;
        this.weightsDir = weightsDir;
        this.progress = progress;
        this.cacheFolder = cacheFolder;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public long seed() {
        return seed;
    }

    @Override
    public Path outputDir() {
        return outputDir;
    }

    @Override
    public FolderCellState state() {
        return state;
    }

    @Override
    public Path resolve(String path) {
        return resolver.apply(path);
    }

    @Override
    public synchronized Loss loss(LossSpec spec) {
        NDManager constants = manager.newSubManager();
        try {
            Loss loss = losses.create(spec, new LabContext(constants, seed, Map.of(), losses, weightsDir));
            owned.push(constants);
            owned.push(loss);
            return loss;
        } catch (RuntimeException e) {
            constants.close();
            throw e;
        }
    }

    @Override
    public Progress progress(String task, long total) {
        return KillPoint.around(progress.apply(task, total));
    }

    @Override
    public Optional<Path> cacheFolder() {
        return Optional.ofNullable(cacheFolder);
    }

    /** Closes the further losses (newest first) and the metrics file. */
    @Override
    public synchronized void close() {
        RuntimeException first = null;
        while (!owned.isEmpty()) {
            try {
                owned.pop().close();
            } catch (Exception e) {
                first = first == null ? new IllegalStateException("closing a cell's loss failed: " + e, e) : first;
            }
        }
        state.close();
        if (first != null) {
            throw first;
        }
    }

}
