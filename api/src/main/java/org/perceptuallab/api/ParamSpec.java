package org.perceptuallab.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The ordered parameter declarations of a loss family or an experiment, and the one place where given
 * values are checked against them.
 */
public final class ParamSpec {
    private final Map<String, Param<?>> params = new LinkedHashMap<>();

    private ParamSpec(List<Param<?>> list) {
        for (Param<?> p : list) {
            if (params.put(p.name(), p) != null) {
                throw new IllegalArgumentException("parameter declared twice: " + p.name());
            }
        }
    }

    /** A spec of these parameters, in this order. */
    public static ParamSpec of(Param<?>... params) {
        return new ParamSpec(List.of(params));
    }

    /** A spec of these parameters, in this order. */
    public static ParamSpec of(List<Param<?>> params) {
        return new ParamSpec(List.copyOf(params));
    }

    /** The declarations in order. */
    public List<Param<?>> params() {
        return new ArrayList<>(params.values());
    }

    /** The declaration called {@code name}, if any. */
    public Optional<Param<?>> get(String name) {
        return Optional.ofNullable(params.get(name));
    }

    /**
     * Checks {@code given} (a JSON object, or null for "all defaults") and fills in the defaults.
     *
     * @param owner who the parameters are for, named in error messages (for example {@code loss 'ssim'})
     * @throws PlabException naming the owner, the parameter and the allowed values, or a required
     *         parameter not given
     */
    public Params resolve(String owner, JsonNode given) {
        TreeMap<String, JsonNode> values = new TreeMap<>();
        if (given != null && !given.isNull()) {
            if (!given.isObject()) {
                throw new PlabException(owner + ": parameters must be a JSON object, got " + given);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = given.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Param<?> p = params.get(e.getKey());
                if (p == null) {
                    throw new PlabException(owner + ": unknown parameter '" + e.getKey() + "'; known: "
                            + (params.isEmpty() ? "none" : String.join(", ", params.keySet())));
                }
                if (!e.getValue().isNull()) {
                    values.put(p.name(), p.check(owner, e.getValue()));
                }
            }
        }
        for (Param<?> p : params.values()) {
            if (!values.containsKey(p.name()) && p.defaultValue() != null) {
                values.put(p.name(), p.defaultValue());
            }
            if (!values.containsKey(p.name()) && p.isRequired()) {
                throw new PlabException(owner + ": parameter '" + p.name() + "' is required (" + p.help() + ")");
            }
        }
        ObjectNode canonical = JsonNodeFactory.instance.objectNode();
        values.forEach(canonical::set);
        return new Params(owner, this, canonical);
    }
}
