package org.perceptuallab.kit.catalog;

import ai.djl.ndarray.NDArray;
import java.security.CodeSource;
import java.util.Optional;
import org.perceptuallab.api.FeatureMap;
import org.perceptuallab.api.Inputs;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.tensor.Ops;

/**
 * A loss whose inputs and output shape are checked on every call, and whose temporaries are released
 * when the call returns.
 */
final class CheckedLoss implements Loss {
    private final Loss inner;
    private final String owner;

    CheckedLoss(Loss inner) {
        this.inner = inner;
        this.owner = "loss '" + inner.spec().id() + "'";
    }

    @Override
    public LossSpec spec() {
        return inner.spec();
    }

    @Override
    public NDArray distance(NDArray x, NDArray y) {
        Inputs.checkPair(owner, x, y);
        // Every temporary of the call is released on return, even where a loss computes on y first
        // (a constant target in an optimisation loop would otherwise collect them).
        NDArray d = Ops.scoped(x, y, inner::distance);
        long n = x.getShape().get(0);
        if (d.getShape().dimension() != 1 || d.getShape().get(0) != n) {
            throw new PlabException(owner + " (" + inner.getClass().getName() + ") returned shape "
                    + d.getShape() + " for a batch of " + n + "; a loss must return one distance per pair");
        }
        return d;
    }

    @Override
    public Optional<FeatureMap> featureMap() {
        return inner.featureMap();
    }

    @Override
    public void close() {
        inner.close();
    }

    static String codeSource(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        return source == null ? type.getName() : source.getLocation().getPath();
    }
}
