package org.perceptuallab.kit.tensor;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import org.perceptuallab.api.LossContext;

/**
 * Random constants given by name (for example {@code w_raw}, {@code b}, {@code proj_raw}) instead of drawn
 * from the seed: the golden cases inject the reference's draws this way. A test harness's
 * {@link LossContext} offers them by implementing this interface; a run's offers none. Not part of the api:
 * only the plugins that reproduce a reference's draws read it.
 */
public interface InjectedDraws {

    /** The draws by name. */
    Map<String, NDArray> draws();

    /** The draws {@code context} injects, empty where it injects none. */
    static Map<String, NDArray> of(LossContext context) {
        return context instanceof InjectedDraws injected ? injected.draws() : Map.of();
    }
}
