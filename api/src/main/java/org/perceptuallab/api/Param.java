package org.perceptuallab.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One declared parameter and the typed key its value is read by: name (camelCase), type, default, allowed
 * range or choices, and a one-line help. Declare each once as a constant and read it back typed:
 *
 * <pre>{@code
 * static final Param<Integer> SIZE = Param.integer("size", 3, 1, 64, "side of the window");
 * ... ParamSpec.of(SIZE) ... int size = params.get(SIZE);
 * }</pre>
 *
 * <p>Values travel as JSON. A parameter with no default is optional and absent unless given (a weights
 * file, say; read it with {@link Params#find}), or {@linkplain #required() required}. Instances come only
 * from the factories, and every one is checked on construction: its range must not be empty, and its
 * default must pass the same check a given value does.
 *
 * @param <T> the Java type {@link Params#get} returns
 */
public final class Param<T> {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** The loss's own seed of its random draws; absent means the run's ({@link LossContext#seed(Params)}). */
    public static final Param<Long> SEED = new Param<>("seed", ParamType.INT, null, 0.0, (double) Long.MAX_VALUE,
            List.of(), "seed of the random draws (default: the run's seed)", false, JsonNode::asLong);

    private final String name;
    private final ParamType type;
    private final JsonNode defaultValue;
    private final Double min;
    private final Double max;
    private final List<String> choices;
    private final String help;
    private final boolean required;
    private final Function<JsonNode, T> reader;

    private Param(String name, ParamType type, JsonNode defaultValue, Double min, Double max, List<String> choices,
                  String help, boolean required, Function<JsonNode, T> reader) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
        this.min = min;
        this.max = max;
        this.choices = List.copyOf(choices);
        this.help = help == null ? "" : help;
        this.required = required;
        this.reader = reader;
        if (min != null && max != null && min > max) {
            throw new IllegalArgumentException("parameter '" + name + "': its range " + rangeText() + " is empty");
        }
        try {
            // In the form a given value takes, so that a default and the same value given are equal Params.
            this.defaultValue = defaultValue == null ? null : check("the default", defaultValue);
        } catch (PlabException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** An integer in [min, max]. */
    public static Param<Integer> integer(String name, int defaultValue, int min, int max, String help) {
        return new Param<>(name, ParamType.INT, JSON.numberNode(defaultValue), (double) min, (double) max,
                List.of(), help, false, JsonNode::asInt);
    }

    /** A real number in [min, max]. */
    public static Param<Double> real(String name, double defaultValue, double min, double max, String help) {
        return new Param<>(name, ParamType.REAL, JSON.numberNode(defaultValue), min, max, List.of(), help, false,
                JsonNode::asDouble);
    }

    /** A real number in [min, max] with no default (absent unless given). */
    public static Param<Double> optionalReal(String name, double min, double max, String help) {
        return new Param<>(name, ParamType.REAL, null, min, max, List.of(), help, false, JsonNode::asDouble);
    }

    /** true or false. */
    public static Param<Boolean> bool(String name, boolean defaultValue, String help) {
        return new Param<>(name, ParamType.BOOL, JSON.booleanNode(defaultValue), null, null, List.of(), help, false,
                JsonNode::asBoolean);
    }

    /** One of {@code choices}; the default must be one of them. */
    public static Param<String> choice(String name, String defaultValue, List<String> choices, String help) {
        return new Param<>(name, ParamType.CHOICE, JSON.textNode(defaultValue), null, null, choices, help, false,
                JsonNode::asText);
    }

    /** Free text; {@code null} default means optional. */
    public static Param<String> string(String name, String defaultValue, String help) {
        return new Param<>(name, ParamType.STRING, defaultValue == null ? null : JSON.textNode(defaultValue),
                null, null, List.of(), help, false, JsonNode::asText);
    }

    /** A list of reals, each in [min, max]; {@code null} default means optional. */
    public static Param<double[]> reals(String name, double[] defaultValue, double min, double max, String help) {
        JsonNode def = null;
        if (defaultValue != null) {
            var array = JSON.arrayNode();
            for (double v : defaultValue) {
                array.add(v);
            }
            def = array;
        }
        return new Param<>(name, ParamType.REALS, def, min, max, List.of(), help, false, node -> {
            double[] out = new double[node.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = node.get(i).asDouble();
            }
            return out;
        });
    }

    /** Another loss, required unless {@code defaultLoss} is given. */
    public static Param<LossSpec> loss(String name, String defaultLoss, String help) {
        JsonNode def = defaultLoss == null ? null : JSON.objectNode().put("loss", defaultLoss);
        return new Param<>(name, ParamType.LOSS, def, null, null, List.of(), help, def == null, Param::lossSpec);
    }

    /** Another loss whose default is a configured spec (an id and its parameters). */
    public static Param<LossSpec> configuredLoss(String name, LossSpec defaultLoss, String help) {
        return new Param<>(name, ParamType.LOSS, defaultLoss.json(), null, null, List.of(), help, false,
                Param::lossSpec);
    }

    /** A weighted list of losses, each term's weight with its spec; required. */
    public static Param<List<Map.Entry<Double, LossSpec>>> terms(String name, String help) {
        return new Param<>(name, ParamType.TERMS, null, null, null, List.of(), help, true, node -> {
            List<Map.Entry<Double, LossSpec>> out = new ArrayList<>();
            for (JsonNode term : node) {
                out.add(Map.entry(term.get("weight").asDouble(), lossSpec(term)));
            }
            return List.copyOf(out);
        });
    }

    /** A map from names to weights in [min, max], in the order given; {@code null} default means optional. */
    public static Param<Map<String, Double>> weights(String name, Map<String, Double> defaultValue, double min,
                                                     double max, String help) {
        JsonNode def = null;
        if (defaultValue != null) {
            var object = JSON.objectNode();
            defaultValue.forEach(object::put);
            def = object;
        }
        return new Param<>(name, ParamType.WEIGHTS, def, min, max, List.of(), help, false, node -> {
            Map<String, Double> out = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asDouble()));
            return out;
        });
    }

    /**
     * This parameter without a default, to be given on every use: resolving parameters without it fails
     * naming it and its help.
     */
    public Param<T> required() {
        return new Param<>(name, type, null, min, max, choices, help, true, reader);
    }

    /** The parameter's name, as written in JSON and on the command line. */
    public String name() {
        return name;
    }

    /** Its value type. */
    public ParamType type() {
        return type;
    }

    /** The default as JSON (a copy), or {@code null} when it has none. */
    public JsonNode defaultValue() {
        return defaultValue == null ? null : defaultValue.deepCopy();
    }

    /** The smallest allowed number (inclusive), or {@code null}. */
    public Double min() {
        return min;
    }

    /** The largest allowed number (inclusive), or {@code null}. */
    public Double max() {
        return max;
    }

    /** The allowed strings of a {@link ParamType#CHOICE}, else empty. */
    public List<String> choices() {
        return choices;
    }

    /** One line for a person. */
    public String help() {
        return help;
    }

    /** Whether resolving fails when the parameter is not given. */
    public boolean isRequired() {
        return required;
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

    @Override
    public String toString() {
        return name + " (" + type + ")";
    }

    /** The typed value of a checked JSON value. */
    T read(JsonNode value) {
        return reader.apply(value);
    }

    private static LossSpec lossSpec(JsonNode node) {
        return LossSpec.parse("", node);
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

    /**
     * Checks a given value against this declaration and returns its canonical JSON (whole numbers as
     * integers, reals as doubles).
     *
     * @param owner named in messages, for example {@code loss 'ssim'}
     * @throws PlabException naming the owner, the parameter and the allowed values
     */
    JsonNode check(String owner, JsonNode v) {
        String where = owner + ": parameter '" + name + "' ";
        switch (type) {
            case INT -> {
                if (!v.isIntegralNumber() && !(v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) {
                    throw new PlabException(where + "must be a whole number, got " + v);
                }
                range(where, v.asDouble(), v.toString());
                // The node a JSON reader makes of the same text (an int where it fits), so that values read
                // back from a results file equal those resolved here.
                return v.canConvertToInt() ? JSON.numberNode(v.asInt()) : JSON.numberNode(v.asLong());
            }
            case REAL -> {
                if (!v.isNumber()) {
                    throw new PlabException(where + "must be a number, got " + v);
                }
                range(where, v.asDouble(), v.toString());
                return JSON.numberNode(v.asDouble());
            }
            case BOOL -> {
                if (!v.isBoolean()) {
                    throw new PlabException(where + "must be true or false, got " + v);
                }
                return v;
            }
            case CHOICE -> {
                if (!v.isTextual() || !choices.contains(v.asText())) {
                    throw new PlabException(where + "must be " + rangeText() + ", got " + v);
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
                var out = JSON.arrayNode();
                for (JsonNode x : v) {
                    if (!x.isNumber()) {
                        throw new PlabException(where + "must be a list of numbers, got " + v);
                    }
                    range(where, x.asDouble(), x.toString());
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
                for (Iterator<Map.Entry<String, JsonNode>> it = ((ObjectNode) v).fields(); it.hasNext(); ) {
                    var e = it.next();
                    if (!e.getValue().isNumber()) {
                        throw new PlabException(where + "weight of '" + e.getKey() + "' must be a number");
                    }
                    range(where, e.getValue().asDouble(), e.getValue().toString());
                }
                return v;
            }
            default -> throw new IllegalStateException(type.toString());
        }
    }

    private void range(String where, double value, String text) {
        if ((min != null && value < min) || (max != null && value > max) || Double.isNaN(value)) {
            throw new PlabException(where + "must be in " + rangeText() + ", got " + text);
        }
    }
}
