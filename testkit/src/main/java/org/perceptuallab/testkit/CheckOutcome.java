package org.perceptuallab.testkit;

/**
 * How one conformance check of {@link TestLab#checkLoss} ended, as {@code plab check} prints it.
 *
 * @param subject what was checked, for example {@code loss 'ssim' example {"window":7}}
 * @param check the check's name, for example {@code gradient matches central finite differences}
 * @param status passed, failed or not applicable
 * @param detail the numbers behind a pass or a failure, or why the check does not apply
 */
public record CheckOutcome(String subject, String check, Status status, String detail) {

    /** How a check ended. */
    public enum Status {
        PASSED, FAILED, NOT_APPLICABLE
    }

    /** One line naming the subject, the check and the detail. */
    @Override
    public String toString() {
        return status + " " + subject + ", " + check + ": " + detail;
    }
}
