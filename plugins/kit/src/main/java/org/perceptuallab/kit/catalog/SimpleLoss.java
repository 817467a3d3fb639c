package org.perceptuallab.kit.catalog;

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
 */
public record SimpleLoss(LossSpec spec, BinaryOperator<NDArray> function) implements Loss {

    /** A loss of family {@code id} with these checked parameters. */
    public static SimpleLoss of(String id, Params params, BinaryOperator<NDArray> function) {
        return new SimpleLoss(new LossSpec(id, params.json()), function);
    }

    @Override
    public NDArray distance(NDArray x, NDArray y) {
        return function.apply(x, y);
    }
}
