package org.perceptuallab.api;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Optional;

/** What a loss family receives when it builds a loss. */
public interface LossContext {

    /** The manager that owns the loss's constants (weights, filters); the caller closes it. */
    NDManager manager();

    /** The run's seed; random-feature losses draw from it unless their own {@code seed} is given. */
    long seed();

    /** The loss's own {@link Param#SEED} when given, else the run's {@link #seed()}. */
    default long seed(Params params) {
        return params.find(Param.SEED).orElse(seed());
    }

    /** Builds other installed losses, for composite losses. */
    LossFactory losses();

    /** The user's weights folder, where a pretrained variant finds published weight files by name. */
    Optional<Path> weightsDir();
}
