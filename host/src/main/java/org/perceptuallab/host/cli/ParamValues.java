package org.perceptuallab.host.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** Turns {@code --param key=value} pairs into a JSON object: values are JSON where they parse, else text. */
public final class ParamValues {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ParamValues() {
    }

    public static ObjectNode toJson(Map<String, String> given) {
        ObjectNode out = JSON.createObjectNode();
        given.forEach((k, v) -> out.set(k, parse(v)));
        return out;
    }

    private static JsonNode parse(String v) {
        try {
            return JSON.readTree(v);
        } catch (JsonProcessingException e) {
            return JSON.getNodeFactory().textNode(v);
        }
    }
}
