package org.perceptuallab.api;

import org.pf4j.ExtensionPoint;

/**
 * A family of losses under one id (for example {@code ssim} or {@code mmd-approx}), contributed by a
 * plugin as a PF4J {@code @Extension} (or a {@code META-INF/services} entry for jars on the class path).
 * Implementations are stateless; {@link #create} builds configured instances.
 */
public interface LossFamily extends ExtensionPoint {

    /** The catalogue id, kebab-case, unique across installed plugins. */
    String id();

    /** One line for listings. */
    String summary();

    /** The parameters, with defaults and ranges. */
    ParamSpec params();

    /**
     * Builds a configured loss. Parameter constraints that involve several values (a window larger than
     * a pool, say) are checked here and fail with a {@link PlabException} naming the loss and parameter.
     *
     * @param params checked parameters from {@link #params()}
     */
    Loss create(Params params, LossContext context);
}
