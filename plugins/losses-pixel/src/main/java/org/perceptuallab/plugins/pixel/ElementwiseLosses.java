package org.perceptuallab.plugins.pixel;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import org.perceptuallab.api.FeatureMap;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.kit.Examples;
import org.perceptuallab.kit.SimpleLoss;
import org.perceptuallab.kit.tensor.Ops;
import org.pf4j.Extension;

/** Means of element-wise differences: {@code l2}, {@code l1}, {@code lp}. */
public final class ElementwiseLosses {
    private ElementwiseLosses() {
    }

    /** Mean squared difference. */
    @Extension
    public static final class L2 implements LossFamily {
        @Override
        public String id() {
            return "l2";
        }

        @Override
        public String summary() {
            return "mean squared difference of pixels";
        }

        @Override
        public ParamSpec params() {
            return ParamSpec.of();
        }

        @Override
        public Loss create(Params params, LossContext context) {
            return new MeanSquared(new LossSpec(id(), params.json()));
        }
    }

    /** The mean squared difference, whose exact feature map is the pixels scaled by 1 / sqrt(C H W). */
    record MeanSquared(LossSpec spec) implements Loss {
        @Override
        public NDArray distance(NDArray x, NDArray y) {
            return Ops.meanPerSample(x.sub(y).square());
        }

        @Override
        public boolean symmetric() {
            return true;
        }

        @Override
        public Optional<FeatureMap> featureMap() {
            return Optional.of(x -> {
                long perImage = x.getShape().size() / x.getShape().get(0);
                return Ops.times(x.reshape(x.getShape().get(0), perImage), 1 / Math.sqrt(perImage));
            });
        }
    }

    /** Mean absolute difference. */
    @Extension
    public static final class L1 implements LossFamily {
        @Override
        public String id() {
            return "l1";
        }

        @Override
        public String summary() {
            return "mean absolute difference of pixels";
        }

        @Override
        public ParamSpec params() {
            return ParamSpec.of();
        }

        @Override
        public Loss create(Params params, LossContext context) {
            return SimpleLoss.symmetric(id(), params, (x, y) -> Ops.meanPerSample(x.sub(y).abs()));
        }
    }

    /** Mean of |x - y|^p. */
    @Extension
    public static final class Lp implements LossFamily {
        private static final Param<Double> P = Param.real("p", 0.5, 1e-3, 16, "the exponent");

        /**
         * Keeps the gradient of |d|^p finite at d = 0 when p < 1; it shifts the value by at most
         * EPSILON^p = 1e-15 (float32 can hold 1e-30).
         */
        static final double EPSILON = 1e-30;

        @Override
        public String id() {
            return "lp";
        }

        @Override
        public String summary() {
            return "mean of |x - y|^p";
        }

        /**
         * Small configurations for checks and docs: p above 1, where central differences are reliable at
         * every pixel (below 1 the curvature at small |x - y| defeats them; PixelContractTest checks p 0.5).
         */
        @Override
        public List<ObjectNode> examples() {
            return Examples.of("{\"p\": 1.5}", "{\"p\": 3}");
        }

        @Override
        public ParamSpec params() {
            return ParamSpec.of(P);
        }

        @Override
        public Loss create(Params params, LossContext context) {
            double p = params.get(P);
            return SimpleLoss.symmetric(id(), params,
                    (x, y) -> Ops.meanPerSample(Ops.pow(x.sub(y).abs().add(p < 1 ? EPSILON : 0), p)));
        }
    }
}
