package org.perceptuallab.testkit;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import org.perceptuallab.api.CellState;
import org.perceptuallab.api.ExperimentContext;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Progress;
import org.perceptuallab.runtime.cell.CellContext;
import org.perceptuallab.runtime.cell.FolderCellState;
import org.perceptuallab.runtime.cell.MetricsFile;

/**
 * What the host gives an experiment's cell, for tests ({@link TestLab#cell}): the host's own cell context
 * with a manager, a seed, an output folder and a state folder beside it ({@code OUT.state}, kept between cells
 * on one folder, so that a test can run a cell again and see it resume). Close it when the cell ends, as the
 * host does: that closes the further losses it built and its metrics file; the manager stays the caller's.
 */
public final class TestCell implements ExperimentContext, AutoCloseable {
    private final CellContext context;

    private TestCell(CellContext context) {
        this.context = context;
    }

    /** The state folder of a cell writing to {@code outputDir}. */
    static Path stateDir(Path outputDir) {
        return outputDir.resolveSibling(outputDir.getFileName() + ".state");
    }

    /**
     * The series a cell on {@code outputDir} streamed to its state's metrics (every attempt's, by name in
     * order of first appearance, values in step order); none before the first.
     */
    public static Map<String, List<Double>> metrics(Path outputDir) {
        return MetricsFile.read(stateDir(outputDir).resolve(MetricsFile.NAME));
    }

    @Override
    public NDManager manager() {
        return context.manager();
    }

    @Override
    public long seed() {
        return context.seed();
    }

    @Override
    public Path outputDir() {
        return context.outputDir();
    }

    @Override
    public CellState state() {
        return context.state();
    }

    @Override
    public Path resolve(String path) {
        return context.resolve(path);
    }

    @Override
    public Loss loss(LossSpec spec) {
        return context.loss(spec);
    }

    @Override
    public Progress progress(String task, long total) {
        return context.progress(task, total);
    }

    @Override
    public Optional<Path> cacheFolder() {
        return context.cacheFolder();
    }

    @Override
    public void close() {
        context.close();
    }

    /** The optional parts of a cell; {@link #open()} makes it. */
    public static final class Builder {
        private final TestLab lab;
        private final NDManager manager;
        private final long seed;
        private final Path outputDir;
        private Path dataRoot = Path.of("");
        private Path cacheFolder;
        private BiFunction<String, Long, Progress> progress = (task, total) -> Progress.silent();

        Builder(TestLab lab, NDManager manager, long seed, Path outputDir) {
            this.lab = lab;
            this.manager = manager;
            this.seed = seed;
            this.outputDir = outputDir;
        }

        /** The folder the parameters' data paths are relative to (the matrix file's); default the working folder. */
        public Builder optDataRoot(Path dir) {
            this.dataRoot = dir;
            return this;
        }

        /** The folder cells share for derived data, as a matrix's cells do; default none. */
        public Builder optCacheFolder(Path dir) {
            this.cacheFolder = dir;
            return this;
        }

        /** Makes the progress indicator of each task and its total; default silent. */
        public Builder optProgress(BiFunction<String, Long, Progress> factory) {
            this.progress = factory;
            return this;
        }

        /** The cell, its state folder opened (created where absent; a resumed cell finds its checkpoints). */
        public TestCell open() {
            Path root = dataRoot;
            return new TestCell(new CellContext(manager, seed, outputDir, FolderCellState.open(stateDir(outputDir)),
                    root::resolve, lab.catalog(), null, progress, cacheFolder));
        }
    }
}
