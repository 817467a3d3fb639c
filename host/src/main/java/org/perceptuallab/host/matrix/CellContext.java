package org.perceptuallab.host.matrix;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.perceptuallab.api.ExperimentContext;
import org.perceptuallab.api.LossFactory;
import org.perceptuallab.api.Progress;

/**
 * The context of one cell.
 *
 * @param manager the cell's manager, closed by the runner when the cell ends
 * @param seed the run's seed
 * @param outputDir the cell's folder
 * @param baseDir the folder relative data paths start from (the matrix file's)
 * @param losses the installed losses
 */
record CellContext(NDManager manager, long seed, Path outputDir, Path baseDir, LossFactory losses)
        implements ExperimentContext {

    @Override
    public Path resolve(String path) {
        return baseDir.resolve(path).normalize();
    }

    @Override
    public Progress progress(String task, long total) {
        return ConsoleProgress.open(task, total);
    }
}
