package org.perceptuallab.plugins.pixel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.perceptuallab.kit.tensor.Ops;

/**
 * The local terms of SSIM (Wang et al. 2004) between two batches in [-1, 1], shared by {@code ssim} and
 * {@code ms-ssim}: per position of the valid filtering by a Gaussian window, L = 1 - l (luminance) and
 * C = 1 - cs (contrast-structure), both written without a difference of nearly equal terms, so that they are
 * exactly 0 where x = y and keep their precision near it.
 */
final class SsimTerms implements AutoCloseable {
    private final int window;
    private final double c1;
    private final double c2;
    private final NDArray row;
    private final NDArray column;

    SsimTerms(int window, double sigma, double k1, double k2, NDManager manager) {
        this.window = window;
        this.c1 = k1 * k1;
        this.c2 = k2 * k2;
        // The 2-D Gaussian is separable: two 1-D passes instead of window^2 taps.
        this.row = manager.create(Ops.gaussian1d(window, sigma), new Shape(1, 1, 1, window));
        this.column = row.reshape(1, 1, window, 1);
    }

    int window() {
        return window;
    }

    /**
     * What {@link #of} needs of y alone, to be kept while y is unchanged ({@code TargetCache}): y, the centre
     * of the moments, the centre + 1, y's centred local mean, and y's parts of the luminance and contrast
     * denominators (C1 and C2 included).
     */
    record Target(NDArray y, NDArray centre, NDArray shift, NDArray meanY, NDArray luminanceY, NDArray contrastY) {
        /** From {@link #arrays()}, the form the cache keeps. */
        static Target of(List<NDArray> arrays) {
            return new Target(arrays.get(0), arrays.get(1), arrays.get(2), arrays.get(3), arrays.get(4),
                    arrays.get(5));
        }

        List<NDArray> arrays() {
            return List.of(y, centre, shift, meanY, luminanceY, contrastY);
        }
    }

    /** The {@link Target} of y (N, C, H, W) in [-1, 1]. */
    Target target(NDArray y) {
        // Moments about a constant per image and channel, y's mean: variances do not change, and
        // E[x^2] - E[x]^2 keeps its precision on bright flat regions, where x is near y (far from y, the
        // rounding left is far below C2). Constant, so detached.
        NDArray centre = y.stopGradient().mean(new int[] {3}, true).mean(new int[] {2}, true);
        NDArray yc = y.sub(centre);
        NDList ofY = filtered(yc, yc.square());
        NDArray myc = ofY.get(0);
        NDArray shift = centre.add(1); // 2 mean(b) = mean(y) + 1 for b = (y + 1) / 2
        NDArray syy = Ops.nonNegative(ofY.get(1).sub(myc.square()));
        return new Target(y, centre, shift, myc, myc.add(shift).square().add(4 * c1), syy.add(4 * c2));
    }

    /**
     * [L, C] of x and y (N, C, H, W) in [-1, 1], y given by its {@link #target}, each
     * (N, C, H - window + 1, W - window + 1). SSIM's constants are for images in [0, 1], a = (x + 1) / 2: its
     * moments are computed here on x itself and the constants rescaled instead (means of a are
     * (mean x + 1) / 2, variances of a are those of x / 4), which saves passes over the images.
     */
    NDList of(NDArray x, Target y) {
        NDArray xc = x.sub(y.centre());
        NDArray diff = x.sub(y.y());
        // The moments of x in one filtering pass (x, x^2, (x - y)^2; y's are in its target), so a backward
        // pass w.r.t. x filters 3C channels back, not 5C (1.2x faster forward and backward at 8 x 3 x 128).
        // The stack has its batch folded into the channels: the engine's depthwise kernel works on blocks
        // of 16 channels, which N * 3C fills better than 3C. The mean of x - y is the difference of the
        // centred means (the filter is linear); both are small, so it loses nothing to cancellation.
        // (Stacked channels-last instead, the filtering itself takes half the time, but the moments'
        // arithmetic on the interleaved planes, and the stacking, twice what that saves.)
        NDList ofX = filtered(xc, xc.square(), diff.square());
        NDArray mxc = ofX.get(0);
        NDArray sxx = Ops.nonNegative(ofX.get(1).sub(mxc.square()));
        NDArray meanDiffSquared = mxc.sub(y.meanY()).square();
        NDArray sdd = Ops.nonNegative(ofX.get(2).sub(meanDiffSquared));
        // L = 1 - l = (mx - my)^2 / (mx^2 + my^2 + C1) and C = 1 - cs = var(x - y) / (sxx + syy + C2), the
        // sample-variance identity 2 sxy = sxx + syy - var(x - y) turning one form into the other; numerators
        // and denominators of both are 4 times those of a and b.
        return new NDList(meanDiffSquared.div(mxc.add(y.shift()).square().add(y.luminanceY())),
                sdd.div(sxx.add(y.contrastY())));
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
