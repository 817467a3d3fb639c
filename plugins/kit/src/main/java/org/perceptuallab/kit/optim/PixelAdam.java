package org.perceptuallab.kit.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/**
 * {@link Adam} (betas 0.9, 0.999) on one pixel tensor, projected onto [-1, 1] after every step (the loss's
 * inputs must stay in range). The moment estimates live in the owner's manager; every temporary of a step
 * goes to the step's scope, so memory stays flat over long runs (TECH-NOTES 3 and 5).
 */
public final class PixelAdam {
    private final Adam adam;

    /** Zero moments, owned by {@code owner}. */
    public PixelAdam(NDManager owner) {
        this.adam = new Adam(owner, 0.9, 0.999);
    }

    /**
     * One update of {@code x} in place with its gradient, then clips x to [-1, 1] and zeroes the gradient.
     *
     * @param scope the step's manager; temporaries are attached to it
     */
    public void step(NDArray x, double learningRate, NDManager scope) {
        adam.step(Map.of("x", x), learningRate, scope);
        x.subi(x.sub(x.clip(-1f, 1f)));
    }
}
