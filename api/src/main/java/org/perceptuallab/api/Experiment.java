package org.perceptuallab.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.pf4j.ExtensionPoint;

/**
 * An experiment (for example {@code 2afc} or {@code image-mean}) that the host runs once per configured
 * loss, contributed by a plugin as a PF4J {@code @Extension}. Implementations are stateless.
 */
public interface Experiment extends ExtensionPoint {

    /** The experiment id, kebab-case, unique across installed plugins. */
    String id();

    /** One line for listings. */
    String summary();

    /** The parameters, with defaults and ranges. */
    ParamSpec params();

    /**
     * Runs the experiment against one loss. Writes images and plots under {@link ExperimentContext#outputDir()}
     * and returns the figures. Throws {@link PlabException} for bad data or parameters.
     *
     * @param params checked parameters from {@link #params()}
     * @param loss the loss under study, owned by the caller
     */
    ExperimentResult run(Params params, Loss loss, ExperimentContext context) throws Exception;

    /**
     * Makes, once per matrix entry and before its cells are planned, data that all its cells share (a
     * generated set, say), and returns the parameters the cells get, for example with {@code data}
     * pointing into {@link PreparationContext#folder()}. It must be idempotent: a resumed matrix prepares
     * again and must find the same data. The parameters as given; nothing to prepare by default.
     */
    default ObjectNode prepare(ObjectNode given, PreparationContext context) throws Exception {
        return given;
    }
}
