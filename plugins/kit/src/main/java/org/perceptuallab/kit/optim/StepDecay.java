package org.perceptuallab.kit.optim;

/**
 * A learning rate multiplied by {@code factor} every {@code every} steps: rate(step) = lr * factor^(step / every).
 *
 * @param lr the rate of the first steps
 * @param factor the decay applied every {@code every} steps (1 for a fixed rate)
 * @param every steps between decays
 */
public record StepDecay(double lr, double factor, int every) {

    public StepDecay {
        if (!(lr > 0) || !(factor > 0) || every < 1) {
            throw new IllegalArgumentException("need lr > 0, factor > 0, every >= 1; got " + lr + ", " + factor
                    + ", " + every);
        }
    }

    /** A fixed rate. */
    public static StepDecay fixed(double lr) {
        return new StepDecay(lr, 1, Integer.MAX_VALUE);
    }

    /** The rate of step {@code step} (0-based). */
    public double at(int step) {
        return lr * Math.pow(factor, step / every);
    }
}
