package org.perceptuallab.plugins.pixel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
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
 * Multi-scale SSIM (Wang, Simoncelli and Bovik 2003) as a distance, 1 - MS-SSIM, of images in [-1, 1] with
 * SSIM's constants for [0, 1] (as if mapped by (x + 1) / 2); scale j + 1 is scale j average-pooled 2 x 2. Per
 * image and channel, with {@link SsimTerms}' Gaussian window and valid filtering at every scale: cs_j = the
 * spatial mean of the contrast-structure map at scales 1..M-1, s_M = the mean SSIM map at the coarsest scale
 * (the authors' released code, which folds the luminance term l_M into it); MS-SSIM = prod_j max(cs_j, 0)^w_j
 * * max(s_M, 0)^w_M, averaged over channels. The means can be negative on anti-correlated images, where a
 * fractional power is undefined: they are clamped at 0 as the common implementations do, and the power's
 * gradient kept finite ({@link PositivePower}).
 */
@Extension
public final class MsSsim implements LossFamily {
    /** Wang et al. 2003's weights of the five scales, finest first. */
    private static final double[] WANG_WEIGHTS = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};
    private static final Param<double[]> WEIGHTS = Param.reals("weights", WANG_WEIGHTS, 0, 100,
            "one exponent per scale, finest first (their count is the number of scales); default Wang et al. 2003's");

    @Override
    public String id() {
        return "ms-ssim";
    }

    @Override
    public String summary() {
        return "1 - MS-SSIM (five scales, Wang et al. 2003's weights; Gaussian window, images in [0, 1])";
    }

    /** Three scales and a 7-pixel window fit the 32 x 32 checks; the defaults need 176 pixels a side. */
    @Override
    public List<ObjectNode> examples() {
        return Examples.of("{\"window\": 7, \"weights\": [0.0448, 0.2856, 0.3001]}",
                "{\"window\": 3, \"sigma\": 0.75, \"weights\": [0.25, 0.25, 0.25, 0.25]}");
    }

    @Override
    public ParamSpec params() {
        return ParamSpec.of(Ssim.WINDOW, Ssim.SIGMA, Ssim.K1, Ssim.K2, WEIGHTS);
    }

    @Override
    public Loss create(Params params, LossContext context) {
        return new MsSsimLoss(new LossSpec(id(), params.json()), params.get(WEIGHTS), new SsimTerms(params.get(Ssim.WINDOW),
                params.get(Ssim.SIGMA), params.get(Ssim.K1), params.get(Ssim.K2), context.manager()),
                new TargetCache(context.manager()));
    }

    private record MsSsimLoss(LossSpec spec, double[] weights, SsimTerms terms, TargetCache targets)
            implements Loss {
        @Override
        public boolean symmetric() {
            return true;
        }

        @Override
        public NDArray distance(NDArray x, NDArray y) {
            checkFits(x.getShape());
            List<NDArray> target = targets.get(y, x, this::targetScales);
            int perScale = target.size() / weights.length;
            NDArray a = x;
            NDArray product = null;
            for (int j = 0; j < weights.length; j++) {
                if (j > 0) {
                    a = Ops.avgPool(a, 2, 2);
                }
                NDList lc = terms.of(a, SsimTerms.Target.of(target.subList(j * perScale, (j + 1) * perScale)));
                NDArray lum = lc.get(0);
                NDArray con = lc.get(1);
                // 1 - cs, or 1 - ssim = L + C - L C at the coarsest scale; spatial mean per image and channel.
                NDArray complement = j < weights.length - 1 ? con : lum.add(con).sub(lum.mul(con));
                NDArray mean = complement.mean(new int[] {3}).mean(new int[] {2}).neg().add(1);
                NDArray factor = PositivePower.of(mean, weights[j]);
                product = product == null ? factor : product.mul(factor);
            }
            return product.mean(new int[] {1}).neg().add(1);
        }

        /** The {@link SsimTerms#target} of y at every scale, one after another. */
        private List<NDArray> targetScales(NDArray y) {
            List<NDArray> all = new ArrayList<>();
            NDArray b = y;
            for (int j = 0; j < weights.length; j++) {
                if (j > 0) {
                    b = Ops.avgPool(b, 2, 2);
                }
                all.addAll(terms.target(b).arrays());
            }
            return all;
        }

        private void checkFits(Shape s) {
            int scales = weights.length;
            long h = s.get(2) >> (scales - 1);
            long w = s.get(3) >> (scales - 1);
            int window = terms.window();
            if (h < window || w < window) {
                long side = (long) window << (scales - 1);
                throw new PlabException("loss 'ms-ssim': the image " + s.get(2) + "x" + s.get(3) + " is "
                        + h + "x" + w + " at the coarsest of " + scales + " scales, smaller than parameter 'window' ("
                        + window + "); use images of at least " + side + "x" + side + ", a smaller window, or"
                        + " fewer 'weights' (scales)");
            }
        }

        @Override
        public void close() {
            targets.close();
            terms.close();
        }
    }
}
