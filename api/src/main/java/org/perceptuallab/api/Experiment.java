package org.perceptuallab.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Optional;
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

    /**
     * Parameters of a run small enough to finish in seconds, for conformance checks ({@code plab check}
     * and the test kit's contract tests): it writes whatever input the run needs (a few generated images,
     * say) into {@code folder}, and returns parameters whose data paths are relative to that folder (or
     * absolute). Empty, the default, when the experiment cannot make an input of its own; its run is then
     * reported not checked. Since api 1.1; a plugin that overrides it still runs on 1.0 hosts.
     */
    default Optional<ObjectNode> tinyRun(Path folder) throws Exception {
        return Optional.empty();
    }
}
