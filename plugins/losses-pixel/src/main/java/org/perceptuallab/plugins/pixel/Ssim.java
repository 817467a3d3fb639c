package org.perceptuallab.plugins.pixel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.Examples;
import org.perceptuallab.kit.tensor.Ops;
import org.perceptuallab.kit.tensor.TargetCache;
import org.pf4j.Extension;

/**
 * SSIM (Wang et al. 2004) as a distance, 0.5 - SSIM / 2, with a Gaussian window and valid filtering;
 * images are mapped from [-1, 1] to [0, 1] first, so C1 = k1^2 and C2 = k2^2.
 */
@Extension
public final class Ssim implements LossFamily {
    static final Param<Integer> WINDOW = Param.integer("window", 11, 1, 255, "side of the Gaussian window");
    static final Param<Double> SIGMA = Param.real("sigma", 1.5, 1e-3, 100,
            "standard deviation of the window, in pixels");
    static final Param<Double> K1 = Param.real("k1", 0.01, 0, 1, "luminance stabiliser: C1 = k1^2");
    static final Param<Double> K2 = Param.real("k2", 0.03, 0, 1, "contrast stabiliser: C2 = k2^2");

    @Override
    public String id() {
        return "ssim";
    }

    @Override
    public String summary() {
        return "0.5 - SSIM/2 (Gaussian window, valid filtering, images in [0, 1])";
    }

    /** Small configurations for checks and docs, fast on 32 x 32 images. */
    @Override
    public List<ObjectNode> examples() {
        return Examples.of("{\"window\": 7}", "{}");
    }

    @Override
    public ParamSpec params() {
        return ParamSpec.of(WINDOW, SIGMA, K1, K2);
    }

    @Override
    public Loss create(Params params, LossContext context) {
        return new SsimLoss(new LossSpec(id(), params.json()), params.get(WINDOW),
                params.get(SIGMA), params.get(K1), params.get(K2), context.manager());
    }

    private static final class SsimLoss implements Loss {
        private final LossSpec spec;
        private final SsimTerms terms;
        private final TargetCache targets;

        SsimLoss(LossSpec spec, int window, double sigma, double k1, double k2, NDManager manager) {
            this.spec = spec;
            this.terms = new SsimTerms(window, sigma, k1, k2, manager);
            this.targets = new TargetCache(manager);
        }

        @Override
        public LossSpec spec() {
            return spec;
        }

        @Override
        public boolean symmetric() {
            return true;
        }

        @Override
        public NDArray distance(NDArray x, NDArray y) {
            Shape s = x.getShape();
            int window = terms.window();
            if (s.get(2) < window || s.get(3) < window) {
                throw new PlabException("loss 'ssim': parameter 'window' (" + window + ") exceeds the image "
                        + s.get(2) + "x" + s.get(3) + "; use a window of at most " + Math.min(s.get(2), s.get(3)));
            }
            NDList lc = terms.of(x, SsimTerms.Target.of(targets.get(y, x, t -> terms.target(t).arrays())));
            NDArray lum = lc.get(0);
            NDArray con = lc.get(1);
            // 0.5 - ssim / 2 = (L + C - L C) / 2, a sum of non-negative terms since L <= 1.
            return Ops.times(Ops.meanPerSample(lum.add(con).sub(lum.mul(con))), 0.5);
        }

        @Override
        public void close() {
            targets.close();
            terms.close();
        }
    }
}
