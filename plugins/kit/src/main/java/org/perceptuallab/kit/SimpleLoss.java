package org.perceptuallab.kit;

import ai.djl.ndarray.NDArray;
import java.util.function.BinaryOperator;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Params;

/**
 * A loss given by a function of (x, y) and no constants: the shortest way to write a family's
 * {@code create}.
 *
 * @param spec the canonical spec
 * @param function computes the (N) distances
 * @param symmetric whether the function is symmetric in x and y ({@link Loss#symmetric()})
 */
public record SimpleLoss(LossSpec spec, BinaryOperator<NDArray> function, boolean symmetric) implements Loss {

    /** A loss of family {@code id} with these checked parameters. */
    public static SimpleLoss of(String id, Params params, BinaryOperator<NDArray> function) {
        return new SimpleLoss(new LossSpec(id, params.json()), function, false);
    }

    /** A loss whose function is symmetric in x and y (a norm of x - y, an MMD). */
    public static SimpleLoss symmetric(String id, Params params, BinaryOperator<NDArray> function) {
        return new SimpleLoss(new LossSpec(id, params.json()), function, true);
    }

    @Override
    public NDArray distance(NDArray x, NDArray y) {
        return function.apply(x, y);
    }
}
