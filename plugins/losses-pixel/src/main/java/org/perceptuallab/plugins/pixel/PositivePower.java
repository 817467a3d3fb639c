package org.perceptuallab.plugins.pixel;

import ai.djl.ndarray.NDArray;
import org.perceptuallab.kit.tensor.Ops;

/**
 * max(x, 0)^p for p >= 0 (a square root, an MS-SSIM exponent) with a gradient that stays finite: below p = 1
 * the derivative p x^(p - 1) is infinite at 0, where a standard deviation of equal images, the gradient
 * magnitude of a flat region and a clamped contrast term all sit, and autograd turns that into NaN. Here the derivative is
 * taken at max(x, FLOOR) and is 0 at or below FLOOR; the value is x^p for x > 0 and 0 otherwise.
 */
final class PositivePower {
    /** Far below any quantity these losses raise to a power, and a normal float32. */
    static final double FLOOR = 1e-30;

    private PositivePower() {
    }

    static NDArray of(NDArray x, double p) {
        NDArray positive = x.gt(0).toType(x.getDataType(), false);
        NDArray atLeastFloor = Ops.nonNegative(x.sub(FLOOR)).add(FLOOR);
        return Ops.pow(atLeastFloor, p).mul(positive);
    }
}
