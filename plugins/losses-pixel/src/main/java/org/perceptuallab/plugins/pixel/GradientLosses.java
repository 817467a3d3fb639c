package org.perceptuallab.plugins.pixel;

import ai.djl.ndarray.NDArray;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.SimpleLoss;
import org.perceptuallab.kit.tensor.Ops;
import org.pf4j.Extension;

/**
 * L1 between image gradients: {@code grad} (forward differences on grey), {@code grad3} (per channel),
 * {@code grad-fast} (3x3 Prewitt differences on grey).
 */
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

    /**
     * (mean |px_x - px_y| + mean |py_x - py_y|) / 2, px and py the valid correlations with the un-normalised
     * Prewitt kernels [1 0 -1; 1 0 -1; 1 0 -1] and its transpose. Both are linear, so they are taken of x - y:
     * a 3-row (3-column) box sum, then the difference of columns (rows) two apart.
     */
    static NDArray prewittL1(NDArray x, NDArray y) {
        NDArray d = x.sub(y);
        NDArray horizontal = differenceTwoApart(boxSum3(d, 2), 3);
        NDArray vertical = differenceTwoApart(boxSum3(d, 3), 2);
        return Ops.times(Ops.meanPerSample(horizontal.abs()).add(Ops.meanPerSample(vertical.abs())), 0.5);
    }

    /** d[i] + d[i+1] + d[i+2] along {@code axis} (valid). */
    private static NDArray boxSum3(NDArray d, int axis) {
        long n = d.getShape().get(axis);
        return Ops.slice(d, axis, 0, n - 2).add(Ops.slice(d, axis, 1, n - 1)).add(Ops.slice(d, axis, 2, n));
    }

    /** d[i] - d[i+2] along {@code axis} (valid). */
    private static NDArray differenceTwoApart(NDArray d, int axis) {
        long n = d.getShape().get(axis);
        return Ops.slice(d, axis, 0, n - 2).sub(Ops.slice(d, axis, 2, n));
    }

    private static NDArray grey(NDArray x) {
        return x.mean(new int[] {1}, true);
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
                    gradientL1(grey(x), grey(y)));
        }
    }

    /**
     * The study's FastGradLoss: 3x3 Prewitt differences of the grey image. Needs images of at least 3 x 3.
     */
    @Extension
    public static final class GradFast implements LossFamily {
        static final String ID = "grad-fast";

        @Override
        public String id() {
            return ID;
        }

        @Override
        public String summary() {
            return "L1 between 3x3 Prewitt gradients of the grey image (the study's FastGradLoss)";
        }

        @Override
        public ParamSpec params() {
            return ParamSpec.of();
        }

        @Override
        public Loss create(Params params, LossContext context) {
            return SimpleLoss.symmetric(ID, params, (x, y) -> {
                if (x.getShape().get(2) < 3 || x.getShape().get(3) < 3) {
                    throw new PlabException("loss '" + ID + "': images of " + x.getShape().get(2) + "x"
                            + x.getShape().get(3) + " are smaller than its 3x3 kernels; give images of at least 3x3");
                }
                return prewittL1(grey(x), grey(y));
            });
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
