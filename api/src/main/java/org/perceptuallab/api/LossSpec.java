package org.perceptuallab.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Names a configured loss: a family id and its parameters, as in {@code {"loss": "l2", "params": {}}}.
 *
 * @param id the loss family id
 * @param params the parameters as given (may be partial; defaults are filled in on creation)
 */
public record LossSpec(String id, ObjectNode params) {

    public LossSpec {
        params = params == null ? JsonNodeFactory.instance.objectNode() : params;
    }

    /** A spec with all defaults. */
    public static LossSpec of(String id) {
        return new LossSpec(id, null);
    }

    /** Parses {@code {"loss": id, "params": {...}}}; {@code where} prefixes error messages. */
    public static LossSpec parse(String where, JsonNode node) {
        if (node == null || !node.isObject() || !node.path("loss").isTextual()) {
            throw new PlabException(where + "expects a loss as {\"loss\": \"id\", \"params\": {...}}, got "
                    + node);
        }
        JsonNode params = node.get("params");
        if (params != null && !params.isNull() && !params.isObject()) {
            throw new PlabException(where + "has non-object \"params\": " + params);
        }
        return new LossSpec(node.get("loss").asText(),
                params == null || params.isNull() ? null : ((ObjectNode) params).deepCopy());
    }

    /** The JSON form {@code {"loss": id, "params": {...}}}. */
    public ObjectNode json() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("loss", id);
        node.set("params", params.deepCopy());
        return node;
    }

    @Override
    public String toString() {
        return params.isEmpty() ? id : id + params;
    }
}
