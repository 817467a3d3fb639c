package org.perceptuallab.plugins.deep;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.testkit.TestLab;

/** Builds losses of this plugin as the host does, for the tests. */
final class TestLosses {
    private static final TestLab LAB = TestLab.onClasspath();

    private TestLosses() {
    }

    /** The loss {@code id} with parameters given as JSON text, run seed 3, an optional weights folder. */
    static Loss create(NDManager manager, String id, String paramsJson, Path weightsDir) {
        try {
            ObjectNode params = (ObjectNode) new ObjectMapper().readTree(paramsJson);
            return LAB.losses().create(new LossSpec(id, params), LAB.lossContext(manager, 3, Map.of(), weightsDir));
        } catch (IOException e) {
            throw new IllegalArgumentException(paramsJson, e);
        }
    }
}
