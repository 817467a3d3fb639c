package org.perceptuallab.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The ordered parameter declarations of a loss family or an experiment, and the one place where given
 * values are checked against them.
 */
public final class ParamSpec {
    private final Map<String, Param> params = new LinkedHashMap<>();
    /** Parameters without a default that must be given all the same. */
    private final Set<String> required;

    private ParamSpec(List<Param> list, Set<String> required) {
        for (Param p : list) {
            if (params.put(p.name(), p) != null) {
                throw new IllegalArgumentException("parameter declared twice: " + p.name());
            }
        }
        for (String name : required) {
            if (!params.containsKey(name)) {
                throw new IllegalArgumentException("required parameter not declared: " + name);
            }
        }
        this.required = Set.copyOf(required);
    }

    /** A spec of these parameters, in this order. */
    public static ParamSpec of(Param... params) {
        return new ParamSpec(List.of(params), Set.of());
    }

    /**
     * This spec with {@code names} required (since 1.4): {@link #resolve} refuses parameters that give none of
     * them a value, naming the parameter and its help, so that a plugin checks nothing of the kind by hand.
     * Parameters of another loss ({@code loss}, {@code terms}) without a default are always required.
     */
    public ParamSpec requiring(String... names) {
        Set<String> all = new LinkedHashSet<>(required);
        all.addAll(List.of(names));
        return new ParamSpec(List.copyOf(params.values()), all);
    }

    /** The declarations in order. */
    public List<Param> params() {
        return new ArrayList<>(params.values());
    }

    /** The declaration called {@code name}, if any. */
    public Optional<Param> get(String name) {
        return Optional.ofNullable(params.get(name));
    }

    /**
     * Checks {@code given} (a JSON object, or null for "all defaults") and fills in the defaults.
     *
     * @param owner who the parameters are for, named in error messages (for example {@code loss 'ssim'})
     * @throws PlabException naming the owner, the parameter and the allowed values
     */
    public Params resolve(String owner, JsonNode given) {
        TreeMap<String, JsonNode> values = new TreeMap<>();
        if (given != null && !given.isNull()) {
            if (!given.isObject()) {
                throw new PlabException(owner + ": parameters must be a JSON object, got " + given);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = given.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Param p = params.get(e.getKey());
                if (p == null) {
                    throw new PlabException(owner + ": unknown parameter '" + e.getKey() + "'"
                            + DidYouMean.suggestion(e.getKey(), params.keySet()) + "; known: "
                            + (params.isEmpty() ? "none" : String.join(", ", params.keySet())));
                }
                if (!e.getValue().isNull()) {
                    values.put(p.name(), check(owner, p, e.getValue()));
                }
            }
        }
        for (Param p : params.values()) {
            if (!values.containsKey(p.name()) && p.defaultValue() != null) {
                values.put(p.name(), p.defaultValue().deepCopy());
            }
            if (!values.containsKey(p.name()) && (p.type() == ParamType.LOSS || p.type() == ParamType.TERMS
                    || required.contains(p.name()))) {
                throw new PlabException(owner + ": parameter '" + p.name() + "' is required (" + p.help() + ")");
            }
        }
        ObjectNode canonical = JsonNodeFactory.instance.objectNode();
        values.forEach(canonical::set);
        return new Params(owner, canonical);
    }

    private static JsonNode check(String owner, Param p, JsonNode v) {
        String where = owner + ": parameter '" + p.name() + "' ";
        switch (p.type()) {
            case INT -> {
                if (!v.isIntegralNumber() && !(v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) {
                    throw new PlabException(where + "must be a whole number, got " + v);
                }
                range(where, p, v.asDouble(), v.toString());
                return JsonNodeFactory.instance.numberNode(v.asLong());
            }
            case REAL -> {
                if (!v.isNumber()) {
                    throw new PlabException(where + "must be a number, got " + v);
                }
                range(where, p, v.asDouble(), v.toString());
                return JsonNodeFactory.instance.numberNode(v.asDouble());
            }
            case BOOL -> {
                if (!v.isBoolean()) {
                    throw new PlabException(where + "must be true or false, got " + v);
                }
                return v;
            }
            case CHOICE -> {
                if (!v.isTextual() || !p.choices().contains(v.asText())) {
                    throw new PlabException(where + "must be " + p.rangeText() + ", got " + v);
                }
                return v;
            }
            case STRING -> {
                if (!v.isTextual()) {
                    throw new PlabException(where + "must be text, got " + v);
                }
                return v;
            }
            case REALS -> {
                if (!v.isArray() || v.isEmpty()) {
                    throw new PlabException(where + "must be a non-empty list of numbers, got " + v);
                }
                var out = JsonNodeFactory.instance.arrayNode();
                for (JsonNode x : v) {
                    if (!x.isNumber()) {
                        throw new PlabException(where + "must be a list of numbers, got " + v);
                    }
                    range(where, p, x.asDouble(), x.toString());
                    out.add(x.asDouble());
                }
                return out;
            }
            case LOSS -> {
                LossSpec.parse(where, v);
                return v;
            }
            case TERMS -> {
                if (!v.isArray() || v.isEmpty()) {
                    throw new PlabException(where + "must be a non-empty list of {\"weight\": w, \"loss\": id}");
                }
                for (JsonNode term : v) {
                    LossSpec.parse(where, term);
                    if (!term.path("weight").isNumber()) {
                        throw new PlabException(where + "needs a numeric \"weight\" in every term, got " + term);
                    }
                }
                return v;
            }
            case WEIGHTS -> {
                if (!v.isObject() || v.isEmpty()) {
                    throw new PlabException(where + "must be a non-empty object of name: weight, got " + v);
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                    var e = it.next();
                    if (!e.getValue().isNumber()) {
                        throw new PlabException(where + "weight of '" + e.getKey() + "' must be a number");
                    }
                    range(where, p, e.getValue().asDouble(), e.getValue().toString());
                }
                return v;
            }
            default -> throw new IllegalStateException(p.type().toString());
        }
    }

    private static void range(String where, Param p, double value, String text) {
        if ((p.min() != null && value < p.min()) || (p.max() != null && value > p.max())
                || Double.isNaN(value)) {
            throw new PlabException(where + "must be in " + p.rangeText() + ", got " + text);
        }
    }
}
