package org.perceptuallab.kit.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam (Kingma and Ba) over named tensors, as torch.optim.Adam computes it (no weight decay, no amsgrad):
 * m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, p -= (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps).
 * The moments live in the owner's manager; a step's temporaries go to the caller's scope. The state (the step
 * count and the moments by name) can be read and restored, so that a checkpointed run continues exactly.
 */
public final class Adam {
    private static final double EPSILON = 1e-8;

    private final double beta1;
    private final double beta2;
    private final NDManager owner;
    private final Map<String, NDArray> first = new LinkedHashMap<>();
    private final Map<String, NDArray> second = new LinkedHashMap<>();
    private long steps;

    /** Zero moments, created on each tensor's first step in {@code owner}. */
    public Adam(NDManager owner, double beta1, double beta2) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam needs betas in [0, 1), got " + beta1 + ", " + beta2);
        }
        this.owner = owner;
        this.beta1 = beta1;
        this.beta2 = beta2;
    }

    /**
     * One update of every tensor in place with its gradient, then zeroes the gradients (the engine adds
     * gradients up across backward passes).
     *
     * @param scope the step's manager: the moments are attached to it while the step runs, so temporaries
     *              made from them go there
     */
    public void step(Map<String, NDArray> tensors, double learningRate, NDManager scope) {
        steps++;
        double stepSize = learningRate / (1 - Math.pow(beta1, steps));
        double secondCorrection = Math.sqrt(1 - Math.pow(beta2, steps));
        tensors.forEach((name, p) -> {
            NDArray m = first.computeIfAbsent(name, k -> owner.zeros(p.getShape(), p.getDataType()));
            NDArray v = second.computeIfAbsent(name, k -> owner.zeros(p.getShape(), p.getDataType()));
            m.tempAttach(scope);
            v.tempAttach(scope);
            NDArray g = p.getGradient();
            m.muli(beta1).addi(g.mul(1 - beta1));
            v.muli(beta2).addi(g.square().muli(1 - beta2));
            p.subi(m.div(v.sqrt().divi(secondCorrection).addi(EPSILON)).muli(stepSize));
            g.subi(g);
        });
    }

    /** Steps taken. */
    public long steps() {
        return steps;
    }

    /** The moments by name, {@code m/NAME} and {@code v/NAME} (live arrays: copy them to keep them). */
    public Map<String, NDArray> moments() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        first.forEach((name, m) -> out.put("m/" + name, m));
        second.forEach((name, v) -> out.put("v/" + name, v));
        return out;
    }

    /** Continues from a saved state: the step count and the moments as {@link #moments()} named them. */
    public void restore(long steps, Map<String, NDArray> moments) {
        this.steps = steps;
        moments.forEach((key, value) -> {
            NDArray copy = value.duplicate();
            copy.attach(owner);
            if (key.startsWith("m/")) {
                replace(first, key.substring(2), copy);
            } else if (key.startsWith("v/")) {
                replace(second, key.substring(2), copy);
            } else {
                throw new IllegalArgumentException("not an Adam moment: " + key + " (expected m/NAME or v/NAME)");
            }
        });
    }

    private static void replace(Map<String, NDArray> moments, String name, NDArray value) {
        NDArray old = moments.put(name, value);
        if (old != null) {
            old.close();
        }
    }
}
