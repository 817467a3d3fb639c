package org.perceptuallab.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

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

    /**
     * Small, valid configurations of this family (parameter objects, possibly partial), fast on a 32x32
     * image and covering its main variants: conformance checks and documentation run them. The defaults
     * unless a family says otherwise.
     */
    default List<ObjectNode> examples() {
        return List.of(JsonNodeFactory.instance.objectNode());
    }
}
