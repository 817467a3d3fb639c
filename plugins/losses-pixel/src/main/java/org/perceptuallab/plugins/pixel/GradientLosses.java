package org.perceptuallab.plugins.pixel;

import ai.djl.ndarray.NDArray;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.kit.SimpleLoss;
import org.perceptuallab.kit.tensor.Ops;
import org.pf4j.Extension;

/** L1 between image gradients (forward differences): {@code grad} on grey, {@code grad3} per channel. */
public final class GradientLosses {
    private GradientLosses() {
    }

    /** (mean |dh_x - dh_y| + mean |dv_x - dv_y|) / 2 with valid forward differences. */
    static NDArray gradientL1(NDArray x, NDArray y) {
        NDArray d = x.sub(y);
        long h = d.getShape().get(2);
        long w = d.getShape().get(3);
        NDArray horizontal = Ops.slice(d, 3, 0, w - 1).sub(Ops.slice(d, 3, 1, w));
        NDArray vertical = Ops.slice(d, 2, 0, h - 1).sub(Ops.slice(d, 2, 1, h));
        return Ops.times(Ops.meanPerSample(horizontal.abs()).add(Ops.meanPerSample(vertical.abs())), 0.5);
    }

    /** On the grey image (channel mean). */
    @Extension
    public static final class Grad implements LossFamily {
        @Override
        public String id() {
            return "grad";
        }

        @Override
        public String summary() {
            return "L1 between horizontal and vertical gradients of the grey image";
        }

        @Override
        public ParamSpec params() {
            return ParamSpec.of();
        }

        @Override
        public Loss create(Params params, LossContext context) {
            return SimpleLoss.symmetric(id(), params, (x, y) ->
                    gradientL1(x.mean(new int[] {1}, true), y.mean(new int[] {1}, true)));
        }
    }

    /** Per colour channel. */
    @Extension
    public static final class Grad3 implements LossFamily {
        @Override
        public String id() {
            return "grad3";
        }

        @Override
        public String summary() {
            return "L1 between horizontal and vertical gradients of each colour channel";
        }

        @Override
        public ParamSpec params() {
            return ParamSpec.of();
        }

        @Override
        public Loss create(Params params, LossContext context) {
            return SimpleLoss.symmetric(id(), params, GradientLosses::gradientL1);
        }
    }
}
