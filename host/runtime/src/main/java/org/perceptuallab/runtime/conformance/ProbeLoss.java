package org.perceptuallab.runtime.conformance;

import ai.djl.ndarray.NDArray;
import java.util.Optional;
import org.perceptuallab.api.FeatureMap;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.kit.tensor.Ops;

/**
 * The loss an experiment's tiny run is checked with: the mean squared difference per pair, symmetric, with
 * its exact feature map, so that an experiment may take any route (pairs, matrices, features). Not
 * installed anywhere: only the experiment checks build it.
 */
final class ProbeLoss implements LossFamily {
    static final String ID = "conformance-probe";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String summary() {
        return "mean squared difference, the loss experiments are checked with";
    }

    @Override
    public ParamSpec params() {
        return ParamSpec.of();
    }

    @Override
    public Loss create(Params params, LossContext context) {
        return new Loss() {
            @Override
            public LossSpec spec() {
                return LossSpec.of(ID);
            }

            @Override
            public NDArray distance(NDArray x, NDArray y) {
                return Ops.meanPerSample(x.sub(y).square());
            }

            @Override
            public Optional<FeatureMap> featureMap() {
                return Optional.of(x -> {
                    long n = x.getShape().get(0);
                    long d = x.getShape().size() / n;
                    return Ops.times(x.reshape(n, d), 1 / Math.sqrt(d));
                });
            }

            @Override
            public boolean symmetric() {
                return true;
            }
        };
    }
}
