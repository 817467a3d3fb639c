package org.perceptuallab.host.share;

/**
 * The api version this host implements, which a plugin's {@code Plugin-Requires} is checked against. The one
 * place that knows it: when the api carries its own version constant, this reads that instead.
 */
public final class ApiLevel {
    /** Semantic version of the plugin contract (the api module) this host provides. */
    public static final String CURRENT = "0.1.0";

    private ApiLevel() {
    }
}
