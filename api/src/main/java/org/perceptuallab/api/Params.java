package org.perceptuallab.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * Checked parameter values with defaults filled in, as produced by {@link ParamSpec#resolve}, read by
 * their typed keys ({@code params.get(SIZE)}). Its JSON form ({@link #json()}, keys sorted) is canonical:
 * two equal configurations print the same text.
 */
public final class Params {
    private final String owner;
    private final ParamSpec spec;
    private final ObjectNode values;

    Params(String owner, ParamSpec spec, ObjectNode values) {
        this.owner = owner;
        this.spec = spec;
        this.values = values;
    }

    /** A copy of the canonical JSON object. */
    public ObjectNode json() {
        return values.deepCopy();
    }

    /**
     * The value of {@code param}, given or by default.
     *
     * @throws PlabException when it has none (an optional parameter not given: use {@link #find})
     * @throws IllegalArgumentException when the spec these values were resolved by does not declare it
     */
    public <T> T get(Param<T> param) {
        return find(param).orElseThrow(
                () -> new PlabException(owner + ": parameter '" + param.name() + "' has no value"));
    }

    /** The value of {@code param} when it has one (given or by default). */
    public <T> Optional<T> find(Param<T> param) {
        Param<?> declared = spec.get(param.name()).orElse(null);
        if (declared == null || declared.type() != param.type()) {
            throw new IllegalArgumentException(owner + ": parameter " + param + " is not declared"
                    + (declared == null ? "" : "; declared as " + declared));
        }
        JsonNode v = values.get(param.name());
        return v == null ? Optional.empty() : Optional.of(param.read(v));
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
