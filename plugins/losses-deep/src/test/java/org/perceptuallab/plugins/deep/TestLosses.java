package org.perceptuallab.plugins.deep;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.runtime.catalog.LabContext;
import org.perceptuallab.runtime.catalog.LossCatalog;

/** Builds losses of this plugin through the catalogue, as the host does, for the tests. */
final class TestLosses {
    private static final LossCatalog CATALOG = LossCatalog.fromClasspath();

    private TestLosses() {
    }

    /** The loss {@code id} with parameters given as JSON text, run seed 3, an optional weights folder. */
    static Loss create(NDManager manager, String id, String paramsJson, Path weightsDir) {
        try {
            ObjectNode params = (ObjectNode) new ObjectMapper().readTree(paramsJson);
            return CATALOG.create(new LossSpec(id, params), new LabContext(manager, 3, Map.of(), CATALOG,
                    weightsDir));
        } catch (IOException e) {
            throw new IllegalArgumentException(paramsJson, e);
        }
    }
}
