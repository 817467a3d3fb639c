package org.perceptuallab.api;

/**
 * Builds configured losses by id from every installed loss family. Composite losses (a pyramid or a
 * weighted sum of other losses) receive one through their {@link LossContext}, so they can wrap losses
 * of any plugin.
 */
public interface LossFactory {

    /**
     * Builds the loss named by {@code spec}, with defaults filled in and its inputs checked on every call.
     *
     * @throws PlabException when no installed family has that id, or a parameter is invalid
     */
    Loss create(LossSpec spec, LossContext context);
}
