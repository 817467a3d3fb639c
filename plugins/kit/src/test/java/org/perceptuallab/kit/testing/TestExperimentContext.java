package org.perceptuallab.kit.testing;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.perceptuallab.api.ExperimentContext;
import org.perceptuallab.api.LossFactory;
import org.perceptuallab.api.Progress;

/**
 * What the host gives an experiment's cell, for tests: a manager, a seed, an output folder, data paths
 * resolved against {@code dataRoot}, the losses on the class path, silent progress. Shipped in plab-kit's
 * test jar.
 */
public record TestExperimentContext(NDManager manager, long seed, Path outputDir, Path dataRoot, LossFactory losses)
        implements ExperimentContext {

    @Override
    public Path resolve(String path) {
        return dataRoot.resolve(path);
    }

    @Override
    public Progress progress(String task, long total) {
        return Progress.silent();
    }
}
