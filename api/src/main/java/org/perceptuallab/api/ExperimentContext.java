package org.perceptuallab.api;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;

/** What an experiment receives from the host for one (experiment, loss) cell. */
public interface ExperimentContext {

    /** The cell's manager; the host closes it when the cell ends. Work in sub-managers inside loops. */
    NDManager manager();

    /** The run's seed. */
    long seed();

    /** An empty folder for this cell's images, plots and files. */
    Path outputDir();

    /** Resolves a data path given in the experiment's parameters (relative to the matrix file). */
    Path resolve(String path);

    /** Builds other installed losses (for example a fixed evaluation loss). */
    LossFactory losses();

    /**
     * A progress indicator for a loop of {@code total} steps; shown as a bar on a terminal, silent otherwise.
     */
    Progress progress(String task, long total);
}
