package org.perceptuallab.runtime.catalog;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.LossFactory;
import org.perceptuallab.kit.tensor.InjectedDraws;

/**
 * The plain {@link LossContext}, with the draws golden cases inject ({@link InjectedDraws}).
 *
 * @param manager owner of the losses' constants
 * @param seed the run's seed
 * @param draws explicit random draws by name (usually empty)
 * @param losses the factory for composite losses
 * @param weightsFolder the user's weights folder, or null
 */
public record LabContext(NDManager manager, long seed, Map<String, NDArray> draws, LossFactory losses,
                         Path weightsFolder) implements LossContext, InjectedDraws {

    public LabContext {
        draws = Map.copyOf(draws);
    }

    /** A context with no draws and no weights folder. */
    public static LabContext of(NDManager manager, long seed, LossFactory losses) {
        return new LabContext(manager, seed, Map.of(), losses, null);
    }

    /** The same context handing out these draws. */
    public LabContext withDraws(Map<String, NDArray> newDraws) {
        return new LabContext(manager, seed, newDraws, losses, weightsFolder);
    }

    @Override
    public Optional<Path> weightsDir() {
        return Optional.ofNullable(weightsFolder);
    }
}
