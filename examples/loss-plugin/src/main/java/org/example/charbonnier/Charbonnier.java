package org.example.charbonnier;

import ai.djl.ndarray.NDArray;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.pf4j.Extension;

/**
 * The Charbonnier loss, a smooth L1: mean over C, H, W of sqrt((x - y)^2 + eps^2) - eps. Differentiable
 * everywhere, zero at x = y. An example of a loss plugin written against the api alone.
 */
@Extension
public final class Charbonnier implements LossFamily {
    private static final Param<Double> EPS = Param.real("eps", 1e-3, 1e-9, 1, "smoothing width; L1 as eps -> 0");

    @Override
    public String id() {
        return "charbonnier";
    }

    @Override
    public String summary() {
        return "smooth L1: mean of sqrt((x-y)^2 + eps^2) - eps";
    }

    @Override
    public ParamSpec params() {
        return ParamSpec.of(EPS);
    }

    @Override
    public Loss create(Params params, LossContext context) {
        double eps = params.get(EPS);
        LossSpec spec = new LossSpec(id(), params.json());
        return new Loss() {
            @Override
            public LossSpec spec() {
                return spec;
            }

            @Override
            public NDArray distance(NDArray x, NDArray y) {
                NDArray d = x.sub(y);
                NDArray smooth = d.square().add(eps * eps).sqrt().sub(eps);
                return smooth.reshape(d.getShape().get(0), -1).mean(new int[] {1});
            }
        };
    }
}
