package org.perceptuallab.plugins.pixel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
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
import org.pf4j.Extension;

/**
 * SSIM (Wang et al. 2004) as a distance, 0.5 - SSIM / 2, with a Gaussian window and valid filtering;
 * images are mapped from [-1, 1] to [0, 1] first, so C1 = k1^2 and C2 = k2^2.
 */
@Extension
public final class Ssim implements LossFamily {
    private static final Param<Integer> WINDOW = Param.integer("window", 11, 1, 255, "side of the Gaussian window");
    private static final Param<Double> SIGMA = Param.real("sigma", 1.5, 1e-3, 100,
            "standard deviation of the window, in pixels");
    private static final Param<Double> K1 = Param.real("k1", 0.01, 0, 1, "luminance stabiliser: C1 = k1^2");
    private static final Param<Double> K2 = Param.real("k2", 0.03, 0, 1, "contrast stabiliser: C2 = k2^2");

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
        private final int window;
        private final double c1;
        private final double c2;
        private final NDArray row;
        private final NDArray column;

        SsimLoss(LossSpec spec, int window, double sigma, double k1, double k2, NDManager manager) {
            this.spec = spec;
            this.window = window;
            this.c1 = k1 * k1;
            this.c2 = k2 * k2;
            // The 2-D Gaussian is separable: two 1-D passes instead of window^2 taps.
            this.row = manager.create(Ops.gaussian1d(window, sigma), new Shape(1, 1, 1, window));
            this.column = row.reshape(1, 1, window, 1);
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
            if (s.get(2) < window || s.get(3) < window) {
                throw new PlabException("loss 'ssim': parameter 'window' (" + window + ") exceeds the image "
                        + s.get(2) + "x" + s.get(3) + "; use a window of at most " + Math.min(s.get(2), s.get(3)));
            }
            NDArray a = Ops.times(x.add(1), 0.5);
            NDArray b = Ops.times(y.add(1), 0.5);
            // Moments about a constant per image and channel, shared by x and y: variances do not change, and
            // E[x^2] - E[x]^2 keeps its precision on bright flat regions. Constant, so detached.
            NDArray centre = Ops.times(a.add(b), 0.5).mean(new int[] {3}, true).mean(new int[] {2}, true)
                    .stopGradient();
            NDArray ac = a.sub(centre);
            NDArray bc = b.sub(centre);
            NDArray diff = a.sub(b);
            // The five local moments in two filtering passes: those of x (x, x^2, (x - y)^2) and those of y alone
            // (y, y^2), so a backward pass w.r.t. x filters 3C channels back, not 5C (1.2x faster forward and
            // backward at 8 x 3 x 128). Each stack has its batch folded into the channels: the engine's
            // depthwise kernel works on blocks of 16 channels, which N * 3C fills better than 3C. The mean of
            // x - y is the difference of the centred means (the filter is linear); both are small, so it loses
            // nothing to cancellation.
            NDList ofX = filtered(ac, ac.square(), diff.square());
            NDList ofY = filtered(bc, bc.square());
            NDArray mxc = ofX.get(0);
            NDArray myc = ofY.get(0);
            NDArray mx = mxc.add(centre);
            NDArray my = myc.add(centre);
            NDArray sxx = Ops.nonNegative(ofX.get(1).sub(mxc.square()));
            NDArray syy = Ops.nonNegative(ofY.get(1).sub(myc.square()));
            NDArray meanDiffSquared = mxc.sub(myc).square();
            NDArray sdd = Ops.nonNegative(ofX.get(2).sub(meanDiffSquared));
            // luminance = 1 - L and contrast-structure = 1 - C, L and C written without a difference of
            // nearly equal terms: L = (mx - my)^2 / (mx^2 + my^2 + C1), C = var(x - y) / (sxx + syy + C2),
            // the sample-variance identity 2 sxy = sxx + syy - var(x - y) turning one form into the other.
            NDArray lum = meanDiffSquared.div(mx.square().add(my.square()).add(c1));
            NDArray con = sdd.div(sxx.add(syy).add(c2));
            // 0.5 - ssim / 2 = (L + C - L C) / 2, a sum of non-negative terms since L <= 1.
            return Ops.times(Ops.meanPerSample(lum.add(con).sub(lum.mul(con))), 0.5);
        }

        /** Each array filtered by the window (valid), as separate arrays. */
        private NDList filtered(NDArray... arrays) {
            NDArray stack = NDArrays.concat(new NDList(arrays), 1);
            Shape stacked = stack.getShape();
            NDArray out = Ops.depthwise(Ops.depthwise(stack.reshape(1, -1, stacked.get(2), stacked.get(3)), row),
                    column);
            Shape f = out.getShape();
            return out.reshape(stacked.get(0), stacked.get(1), f.get(2), f.get(3)).split(arrays.length, 1);
        }

        @Override
        public void close() {
            row.close();
            column.close();
        }
    }
}
