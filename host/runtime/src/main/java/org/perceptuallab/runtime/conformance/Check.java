package org.perceptuallab.runtime.conformance;

import java.util.Locale;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.runtime.catalog.PluginFailure;
import org.perceptuallab.runtime.conformance.CheckResult.Status;

/**
 * One conformance check, not yet run: {@code plab check} runs it and prints the result, the test kit's
 * contract tests run it as a JUnit test. Whatever the plugin's code throws while it runs is a failure
 * whose detail is the plugin's message.
 *
 * @param subject what it checks (a jar, a loss family, one example configuration, an experiment)
 * @param name what it checks about it
 * @param body the check
 */
public record Check(String subject, String name, Body body) {

    /** The work of a check. */
    @FunctionalInterface
    public interface Body {
        Outcome run() throws Exception;
    }

    /** What a body found. */
    public record Outcome(Status status, String detail) {
        public static Outcome passed(String detail) {
            return new Outcome(Status.PASSED, detail);
        }

        public static Outcome failed(String detail) {
            return new Outcome(Status.FAILED, detail);
        }

        public static Outcome notApplicable(String why) {
            return new Outcome(Status.NOT_APPLICABLE, why);
        }

        /** Passed when {@code ok}, else failed, with the same detail. */
        public static Outcome of(boolean ok, String detail) {
            return ok ? passed(detail) : failed(detail);
        }
    }

    /** Runs the check; a throw is a failure naming what was thrown. */
    public CheckResult run() {
        try {
            Outcome outcome = body.run();
            return new CheckResult(subject, name, outcome.status(), outcome.detail());
        } catch (PlabException e) {
            return new CheckResult(subject, name, Status.FAILED, e.getMessage());
        } catch (Exception | LinkageError | AssertionError e) {
            return new CheckResult(subject, name, Status.FAILED, "threw " + PluginFailure.describe(e));
        }
    }

    /** A number for a report line: 3 significant digits. */
    static String number(double value) {
        return value == 0 || Double.isNaN(value) || Double.isInfinite(value) ? Double.toString(value)
                : String.format(Locale.ROOT, "%.3g", value);
    }
}
