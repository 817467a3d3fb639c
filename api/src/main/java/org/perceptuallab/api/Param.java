package org.perceptuallab.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One declared parameter: name (camelCase), type, default, allowed range or choices, and a one-line help.
 *
 * <p>A {@code null} default means the parameter is optional and absent unless given (for example a
 * weights file, or a seed that falls back to the run's seed). Build instances with the static factories.
 *
 * @param name the parameter's name, as written in JSON and on the command line
 * @param type its value type
 * @param defaultValue the default as JSON, or {@code null} when optional and unset
 * @param min the smallest allowed number (inclusive), or {@code null}
 * @param max the largest allowed number (inclusive), or {@code null}
 * @param choices the allowed strings of a {@link ParamType#CHOICE}, else empty
 * @param help one line for a person
 */
public record Param(String name, ParamType type, JsonNode defaultValue, Double min, Double max,
                    List<String> choices, String help) {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    public Param {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        choices = List.copyOf(choices);
        help = help == null ? "" : help;
    }

    /** An integer in [min, max]. */
    public static Param integer(String name, int defaultValue, int min, int max, String help) {
        return new Param(name, ParamType.INT, JSON.numberNode(defaultValue), (double) min, (double) max,
                List.of(), help);
    }

    /** A real number in [min, max]. */
    public static Param real(String name, double defaultValue, double min, double max, String help) {
        return new Param(name, ParamType.REAL, JSON.numberNode(defaultValue), min, max, List.of(), help);
    }

    /** A real number in [min, max] with no default (absent unless given). */
    public static Param optionalReal(String name, double min, double max, String help) {
        return new Param(name, ParamType.REAL, null, min, max, List.of(), help);
    }

    /** true or false. */
    public static Param bool(String name, boolean defaultValue, String help) {
        return new Param(name, ParamType.BOOL, JSON.booleanNode(defaultValue), null, null, List.of(), help);
    }

    /** One of {@code choices}; the default must be one of them. */
    public static Param choice(String name, String defaultValue, List<String> choices, String help) {
        if (!choices.contains(defaultValue)) {
            throw new IllegalArgumentException(name + ": default " + defaultValue + " not in " + choices);
        }
        return new Param(name, ParamType.CHOICE, JSON.textNode(defaultValue), null, null, choices, help);
    }

    /** Free text; {@code null} default means optional. */
    public static Param string(String name, String defaultValue, String help) {
        return new Param(name, ParamType.STRING, defaultValue == null ? null : JSON.textNode(defaultValue),
                null, null, List.of(), help);
    }

    /** A list of reals, each in [min, max]; {@code null} default means optional. */
    public static Param reals(String name, double[] defaultValue, double min, double max, String help) {
        JsonNode def = null;
        if (defaultValue != null) {
            var array = JSON.arrayNode();
            for (double v : defaultValue) {
                array.add(v);
            }
            def = array;
        }
        return new Param(name, ParamType.REALS, def, min, max, List.of(), help);
    }

    /** Another loss, required unless {@code defaultLoss} is given. */
    public static Param loss(String name, String defaultLoss, String help) {
        JsonNode def = defaultLoss == null ? null : JSON.objectNode().put("loss", defaultLoss);
        return new Param(name, ParamType.LOSS, def, null, null, List.of(), help);
    }

    /** Another loss whose default is a configured spec (an id and its parameters). */
    public static Param configuredLoss(String name, LossSpec defaultLoss, String help) {
        return new Param(name, ParamType.LOSS, defaultLoss.json(), null, null, List.of(), help);
    }

    /** A weighted list of losses; required. */
    public static Param terms(String name, String help) {
        return new Param(name, ParamType.TERMS, null, null, null, List.of(), help);
    }

    /** A map from names to weights in [min, max]; {@code null} default means optional. */
    public static Param weights(String name, Map<String, Double> defaultValue, double min, double max,
                                String help) {
        JsonNode def = null;
        if (defaultValue != null) {
            var object = JSON.objectNode();
            defaultValue.forEach(object::put);
            def = object;
        }
        return new Param(name, ParamType.WEIGHTS, def, min, max, List.of(), help);
    }

    /** An optional seed: absent means "the run's seed". */
    public static Param seed() {
        return new Param("seed", ParamType.INT, null, 0.0, (double) Long.MAX_VALUE, List.of(),
                "seed of the random draws (default: the run's seed)");
    }

    /** The allowed range or choices, for messages and listings ("" when unconstrained). */
    public String rangeText() {
        if (!choices.isEmpty()) {
            return "one of " + String.join(", ", choices);
        }
        if (min == null && max == null) {
            return "";
        }
        return "[" + number(min) + ", " + number(max) + "]";
    }

    private static String number(Double v) {
        if (v == null) {
            return "";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString(v.longValue());
        }
        if (v >= Long.MAX_VALUE) {
            return "inf";
        }
        return Double.toString(v);
    }
}
