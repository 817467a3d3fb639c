package org.perceptuallab.runtime.golden;

/**
 * The outcome of one golden case.
 *
 * @param goldenCase the case
 * @param status passed, failed, not installed, or not run for a missing weight file
 * @param expected the expected per-pair values (empty when not run)
 * @param actual the computed values (empty when not run or when the loss threw)
 * @param worstRelativeError the largest relative error over the pairs (NaN when not run)
 * @param message why it failed or was skipped, else empty
 */
public record GoldenOutcome(GoldenCase goldenCase, Status status, double[] expected, double[] actual,
                            double worstRelativeError, String message) {

    /** What happened to a case. */
    public enum Status { PASSED, FAILED, NOT_INSTALLED, MISSING_FILE }
}
