package org.perceptuallab.kit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;

/** A family's example configurations ({@code LossFamily.examples()}) written as JSON objects. */
public final class Examples {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Examples() {
    }

    /** Each text parsed as a parameter object; a text that is not one is the family's bug, named. */
    public static List<ObjectNode> of(String... objects) {
        return Arrays.stream(objects).map(text -> {
            try {
                if (JSON.readTree(text) instanceof ObjectNode o) {
                    return o;
                }
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("example configuration " + text + " is not JSON: " + e.getMessage());
            }
            throw new IllegalArgumentException("example configuration " + text + " is not a JSON object");
        }).toList();
    }
}
