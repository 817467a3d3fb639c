package org.perceptuallab.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checked parameter values with defaults filled in, as produced by {@link ParamSpec#resolve}. Its JSON
 * form ({@link #json()}, keys sorted) is canonical: two equal configurations print the same text.
 */
public final class Params {
    private final String owner;
    private final ObjectNode values;

    Params(String owner, ObjectNode values) {
        this.owner = owner;
        this.values = values;
    }

    /** A copy of the canonical JSON object. */
    public ObjectNode json() {
        return values.deepCopy();
    }

    /** Whether the parameter has a value (given or by default). */
    public boolean has(String name) {
        return values.has(name);
    }

    public int getInt(String name) {
        return require(name).asInt();
    }

    public long getLong(String name) {
        return require(name).asLong();
    }

    public double getDouble(String name) {
        return require(name).asDouble();
    }

    public boolean getBoolean(String name) {
        return require(name).asBoolean();
    }

    public String getString(String name) {
        return require(name).asText();
    }

    public double[] getDoubles(String name) {
        JsonNode node = require(name);
        double[] out = new double[node.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = node.get(i).asDouble();
        }
        return out;
    }

    /** A {@link ParamType#LOSS} value. */
    public LossSpec getLoss(String name) {
        return LossSpec.parse(owner + ": parameter '" + name + "' ", require(name));
    }

    /** A {@link ParamType#TERMS} value: each term's spec with its weight. */
    public List<Map.Entry<Double, LossSpec>> getTerms(String name) {
        List<Map.Entry<Double, LossSpec>> out = new ArrayList<>();
        for (JsonNode term : require(name)) {
            out.add(Map.entry(term.get("weight").asDouble(), LossSpec.parse(owner, term)));
        }
        return out;
    }

    /** A {@link ParamType#WEIGHTS} value, in the order given. */
    public Map<String, Double> getWeights(String name) {
        Map<String, Double> out = new LinkedHashMap<>();
        require(name).fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asDouble()));
        return out;
    }

    /** The raw JSON value. */
    public JsonNode getNode(String name) {
        return require(name);
    }

    private JsonNode require(String name) {
        JsonNode v = values.get(name);
        if (v == null) {
            throw new PlabException(owner + ": parameter '" + name + "' has no value");
        }
        return v;
    }

    @Override
    public String toString() {
        return values.toString();
    }

    /** Equal when the canonical texts are: a default given explicitly (11 as a long) equals the default (an int). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Params p && p.values.toString().equals(values.toString());
    }

    @Override
    public int hashCode() {
        return values.toString().hashCode();
    }
}
