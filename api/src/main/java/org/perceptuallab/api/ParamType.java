package org.perceptuallab.api;

/** The value types a parameter can take; values travel as JSON. */
public enum ParamType {
    /** A whole number (JSON integer). */
    INT,
    /** A real number (JSON number). */
    REAL,
    /** true or false. */
    BOOL,
    /** One of a fixed list of strings. */
    CHOICE,
    /** Free text, for example a file path. */
    STRING,
    /** A list of real numbers. */
    REALS,
    /** Another loss: {@code {"loss": id, "params": {...}}}. */
    LOSS,
    /** A weighted list of losses: {@code [{"weight": w, "loss": id, "params": {...}}, ...]}. */
    TERMS,
    /** A map from names to real weights, for example feature layers. */
    WEIGHTS
}
