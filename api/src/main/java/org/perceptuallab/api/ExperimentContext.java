package org.perceptuallab.api;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Optional;

/** What an experiment receives from the host for one (experiment, loss) cell. */
public interface ExperimentContext {

    /** The cell's manager; the host closes it when the cell ends. Work in sub-managers inside loops. */
    NDManager manager();

    /** The cell's seed, whole (the engine's own generator gets a 32-bit mix of it). */
    long seed();

    /** An empty folder for this cell's images, plots and files (the report links them). */
    Path outputDir();

    /** The cell's state folder, checkpoints and metrics sink. */
    CellState state();

    /** Resolves a data path given in the experiment's parameters (relative to the matrix file). */
    Path resolve(String path);

    /**
     * Builds a further loss (a content loss, an evaluation loss) from its spec, with the host's weights
     * folder and seed, its inputs checked on every call. The cell owns it and closes it when it ends.
     *
     * @throws PlabException when no installed family has that id, or a parameter is invalid
     */
    Loss loss(LossSpec spec);

    /**
     * A progress indicator for a loop of {@code total} steps; shown as a bar on a terminal, silent otherwise.
     */
    Progress progress(String task, long total);

    /**
     * A folder for derived data that every cell of a matrix may share and that can be made again from the
     * data (images decoded and resized once, say), beside the results and kept between runs; empty where the
     * host offers none (a cell is then on its own). Cells may run at once in several processes: write into it
     * atomically (a temporary name, then a rename) and name entries by what they were made from. Since api 1.1.
     */
    default Optional<Path> cacheFolder() {
        return Optional.empty();
    }
}
