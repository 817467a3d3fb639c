package org.perceptuallab.runtime.conformance;

/**
 * The outcome of one conformance check.
 *
 * @param subject what was checked, for example {@code jar charbonnier.jar} or {@code loss 'ssim' {"window":7}}
 * @param check the check's name, for example {@code gradient matches central finite differences}
 * @param status passed, failed or not applicable
 * @param detail the numbers behind a pass or a failure, or why the check does not apply
 */
public record CheckResult(String subject, String check, Status status, String detail) {

    /** How a check ended. */
    public enum Status {
        PASSED("passed"), FAILED("FAILED"), NOT_APPLICABLE("not applicable");

        private final String label;

        Status(String label) {
            this.label = label;
        }

        /** How the report prints it. */
        public String label() {
            return label;
        }
    }

    public boolean failed() {
        return status == Status.FAILED;
    }
}
