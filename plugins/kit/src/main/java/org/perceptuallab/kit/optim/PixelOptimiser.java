package org.perceptuallab.kit.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.function.UnaryOperator;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.ObjectiveScope;

/**
 * Minimises a scalar objective of one image by {@link PixelAdam} on its pixels. Each step runs in its own
 * sub-manager (x and the moments attached to it while the step runs), so the step's graph and temporaries
 * are released when it ends and resident memory stays flat however many steps run (TECH-NOTES 5). Each
 * evaluation of the objective is one {@link ObjectiveScope}, so losses it calls on x may share their work (a
 * style and a content loss, one trunk pass).
 */
public final class PixelOptimiser {
    private PixelOptimiser() {
    }

    /** Told after every step. */
    @FunctionalInterface
    public interface StepListener {
        /**
         * @param step the step just taken, 0-based
         * @param value the objective at x before the step
         */
        void afterStep(int step, double value);
    }

    /**
     * Takes {@code steps} Adam steps on {@code x} in place (x in [-1, 1] afterwards); the moment estimates
     * live in a sub-manager of x's manager, released on return.
     *
     * @param objective maps x to a scalar to minimise, differentiably
     * @param owner names the run in the error when the objective is not finite (for example
     *              {@code image-mean under loss 'l2'})
     * @throws PlabException when the objective is NaN or infinite, naming the step and the fix
     */
    public static void minimise(NDArray x, UnaryOperator<NDArray> objective, StepDecay schedule, int steps,
                                String owner, StepListener listener) {
        NDManager home = x.getManager();
        x.setRequiresGradient(true);
        Engine engine = Engine.getEngine(home.getEngine().getEngineName());
        try (NDManager moments = home.newSubManager()) {
            PixelAdam adam = new PixelAdam(moments);
            for (int step = 0; step < steps; step++) {
                double value;
                try (NDManager scope = home.newSubManager()) {
                    x.tempAttach(scope);
                    try (GradientCollector gc = engine.newGradientCollector()) {
                        NDArray total = ObjectiveScope.evaluate(scope, () -> objective.apply(x));
                        gc.backward(total);
                        value = total.toType(DataType.FLOAT64, false).getDouble();
                    }
                    if (!Double.isFinite(value)) {
                        throw new PlabException(owner + ": the objective is not finite (" + value + ") at step "
                                + step + "; lower 'lr' or check the loss");
                    }
                    adam.step(x, schedule.at(step), scope);
                }
                listener.afterStep(step, value);
            }
        }
    }
}
