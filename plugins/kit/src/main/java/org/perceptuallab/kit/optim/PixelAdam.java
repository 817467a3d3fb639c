package org.perceptuallab.kit.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Adam on one pixel tensor, projected onto [-1, 1] after every step (the loss's inputs must stay in
 * range). The moment estimates live in the owner's manager; every temporary of a step goes to the
 * step's scope, so memory stays flat over long runs (TECH-NOTES 3 and 5).
 */
public final class PixelAdam {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    private final NDArray firstMoment;
    private final NDArray secondMoment;
    private int steps;

    /** Zero moments shaped like {@code like}, owned by {@code owner}. */
    public PixelAdam(NDManager owner, NDArray like) {
        this.firstMoment = owner.zeros(like.getShape(), like.getDataType());
        this.secondMoment = owner.zeros(like.getShape(), like.getDataType());
    }

    /**
     * One update of {@code x} in place with its gradient, then clips x to [-1, 1] and zeroes the gradient.
     *
     * @param scope the step's manager; temporaries are attached to it
     */
    public void step(NDArray x, double learningRate, NDManager scope) {
        steps++;
        firstMoment.tempAttach(scope);
        secondMoment.tempAttach(scope);
        NDArray g = x.getGradient();
        firstMoment.muli(BETA1).addi(g.mul(1 - BETA1));
        secondMoment.muli(BETA2).addi(g.square().muli(1 - BETA2));
        double c1 = 1 - Math.pow(BETA1, steps);
        double c2 = 1 - Math.pow(BETA2, steps);
        NDArray update = firstMoment.div(c1).divi(secondMoment.div(c2).sqrt().addi(EPSILON)).muli(learningRate);
        x.subi(update);
        x.subi(x.sub(x.clip(-1f, 1f)));
        g.subi(g);
    }
}
