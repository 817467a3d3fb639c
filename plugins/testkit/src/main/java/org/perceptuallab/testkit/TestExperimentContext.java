package org.perceptuallab.testkit;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.perceptuallab.api.LossFactory;
import org.perceptuallab.api.Progress;
import org.perceptuallab.runtime.cell.CellContext;
import org.perceptuallab.runtime.cell.FolderCellState;

/**
 * What the host gives an experiment's cell, for tests: the host's own cell context with a manager, a seed,
 * an output folder, a state folder beside it ({@code OUT.state}, kept between contexts on one folder, so a
 * test can run a cell again and see it resume), data paths resolved against {@code dataRoot}, the given
 * losses, silent progress. Close it when the cell ends, as the host does.
 */
public final class TestExperimentContext {
    private TestExperimentContext() {
    }

    /** A cell context over these parts, with no cache folder. */
    public static CellContext of(NDManager manager, long seed, Path outputDir, Path dataRoot, LossFactory losses) {
        return of(manager, seed, outputDir, dataRoot, losses, null);
    }

    /** A cell context over these parts whose cells share {@code cacheFolder} (null: none), as a matrix's do. */
    public static CellContext of(NDManager manager, long seed, Path outputDir, Path dataRoot, LossFactory losses,
                                 Path cacheFolder) {
        Path state = outputDir.resolveSibling(outputDir.getFileName() + ".state");
        return new CellContext(manager, seed, outputDir, FolderCellState.open(state), dataRoot::resolve, losses,
                null, (task, total) -> Progress.silent(), cacheFolder);
    }
}
