package org.perceptuallab.plugins.patch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import org.perceptuallab.kit.tensor.Ops;

/**
 * The one biased-MMD reduction of patch-mmd and mmd-exact: MMD^2 = mean Kxx + mean Kyy - 2 mean Kxy over
 * all pairs (i = j included) of two patch sets, per batch element, computed in forms that keep float32
 * accurate where the sets nearly agree (the value is then a small difference of large sums).
 */
final class Mmd {
    /** Kernel-matrix elements computed per block, bounding the temporaries (32 MB each in float32). */
    private static final long BLOCK_ELEMENTS = 8L << 20;

    private Mmd() {
    }

    /** A kernel, by the biased MMD^2 it gives two patch sets. */
    interface Kernel {
        /**
         * @param a (B, La, D) patch vectors
         * @param b (B, Lb, D) patch vectors
         * @return (B) biased MMD^2 of the two sets under this kernel, never negative
         */
        NDArray mmd(NDArray a, NDArray b);

        /** Whether moving both sets by one vector leaves the MMD^2 unchanged (true of a . b and of distances). */
        default boolean shiftInvariant() {
            return true;
        }
    }

    /**
     * Biased MMD^2 of the patch sets a and b, per batch element. Both sets are first shifted by b's mean:
     * distances do not change, and the smaller norms keep float32 sums accurate.
     *
     * @param a (B, La, D), the side that carries gradients
     * @param b (B, Lb, D)
     * @return (B)
     */
    static NDArray biased(NDArray a, NDArray b, Kernel kernel) {
        if (!kernel.shiftInvariant()) {
            return kernel.mmd(a, b);
        }
        NDArray origin = b.mean(new int[] {1}, true).stopGradient();
        return kernel.mmd(a.sub(origin), b.sub(origin));
    }

    /**
     * K(a, b) = a . b, whose biased MMD^2 is exactly the squared distance between the mean patches: computed
     * so, with no pairwise matrix and no cancellation.
     */
    static final Kernel DOT = (a, b) -> a.mean(new int[] {1}).sub(b.mean(new int[] {1})).square().sum(new int[] {1});

    /**
     * K(a, b) = sum over s of exp(-||a - b||^2 * rates[s]). With K = S - E, E = sum over s of
     * 1 - exp(-t_s) (t_s = rates[s] ||a - b||^2), the constants cancel exactly and MMD^2 = 2 mean Exy - mean
     * Exx - mean Eyy. E is computed in a form accurate where t is tiny ({@link #halfDeficit}), where
     * 1 - exp(-t) would keep only rounding; squared distances are clamped at zero.
     */
    static Kernel gaussians(double... rates) {
        return (a, b) -> Ops.nonNegative(Ops.times(meanDeficit(a, b, rates), 2)
                .sub(meanDeficit(a, a, rates)).sub(meanDeficit(b, b, rates)));
    }

    /**
     * The mean of E(a_i, b_j) over all pairs, (B). The matrix of t/2 = rates[0] ||a_i - b_j||^2 / 2 comes from
     * one matrix product of the patch vectors extended by their squared norms (2 a.b - ||a||^2 - ||b||^2,
     * scaled), never from the differences of all pairs. Rows of a are taken in blocks whose temporaries are
     * released before the next.
     */
    private static NDArray meanDeficit(NDArray a, NDArray b, double[] rates) {
        Shape sa = a.getShape();
        long batch = sa.get(0);
        long rowsA = sa.get(1);
        long rowsB = b.getShape().get(1);
        NDArray bExtended = right(b).transpose(0, 2, 1);
        long block = Math.max(1, BLOCK_ELEMENTS / Math.max(1, batch * rowsB));
        NDList sums = new NDList();
        for (long from = 0; from < rowsA; from += block) {
            NDArray rows = a.get(":, " + from + ":" + Math.min(rowsA, from + block) + ", :");
            sums.add(Ops.scoped(rows, bExtended, (r, bt) -> {
                NDArray half = Ops.nonNegative(left(r, -rates[0] / 2).batchMatMul(bt));
                NDArray e = halfDeficit(half);
                for (int s = 1; s < rates.length; s++) {
                    e = e.add(halfDeficit(Ops.times(half, rates[s] / rates[0])));
                }
                return e.sum(new int[] {1, 2});
            }));
        }
        NDArray total = sums.size() == 1 ? sums.head() : NDArrays.stack(sums, 1).sum(new int[] {1});
        return Ops.times(total, 2.0 / ((double) rowsA * rowsB));
    }

    /**
     * The SSIM index of two p x p patches as the kernel, each patch one SSIM window: patches mapped from
     * [-1, 1] to [0, 1]; per channel, with the normalised 2-D Gaussian window w (p^2 weights), mu = w.a,
     * s^2 = w.a^2 - mu^2, s_ab = w.(a b) - mu_a mu_b; K = mean over channels of ((2 mu_a mu_b + C1) /
     * (mu_a^2 + mu_b^2 + C1)) ((2 s_ab + C2) / (s_a^2 + s_b^2 + C2)), C1 = k1^2, C2 = k2^2. Computed in
     * float64, since the MMD^2 is a small difference of means of values near 1, and clamped at 0 against
     * rounding (the SSIM kernel is not known to be positive definite; on random, noisy and flat images its
     * MMD^2 stays positive).
     *
     * @param window the 2-D window, row-major, p^2 weights summing to 1
     */
    static Kernel ssim(double[] window, double k1, double k2) {
        return new Kernel() {
            @Override
            public NDArray mmd(NDArray a, NDArray b) {
                NDArray a64 = Ops.toFloat64(a);
                NDArray b64 = Ops.toFloat64(b);
                NDArray w = Ops.owned(a.getManager().create(window));
                NDArray mmd = meanSsim(a64, a64, w, k1, k2).add(meanSsim(b64, b64, w, k1, k2))
                        .sub(Ops.times(meanSsim(a64, b64, w, k1, k2), 2));
                return Ops.valuesLike(Ops.nonNegative(mmd), a);
            }

            @Override
            public boolean shiftInvariant() {
                return false;
            }
        };
    }

    /** The mean SSIM kernel over all pairs of a (B, La, C p^2) and b (B, Lb, C p^2), (B); rows of a in blocks. */
    private static NDArray meanSsim(NDArray a, NDArray b, NDArray window, double k1, double k2) {
        long batch = a.getShape().get(0);
        long rowsA = a.getShape().get(1);
        long rowsB = b.getShape().get(1);
        long channels = a.getShape().get(2) / window.getShape().get(0);
        NDArray unitB = Ops.times(b.add(1), 0.5);
        long block = Math.max(1, BLOCK_ELEMENTS / Math.max(1, batch * rowsB * channels));
        NDList sums = new NDList();
        for (long from = 0; from < rowsA; from += block) {
            NDArray rows = a.get(":, " + from + ":" + Math.min(rowsA, from + block) + ", :");
            sums.add(Ops.scoped(rows, unitB, (r, ub) -> {
                NDArray ua = Ops.times(r.add(1), 0.5);
                NDArray total = null;
                for (long c = 0; c < channels; c++) {
                    NDArray ssim = ssimOfChannel(channelOf(ua, c, window), channelOf(ub, c, window), window, k1, k2);
                    total = total == null ? ssim : total.add(ssim);
                }
                return total.sum(new int[] {1, 2});
            }));
        }
        NDArray total = sums.size() == 1 ? sums.head() : NDArrays.stack(sums, 1).sum(new int[] {1});
        return Ops.times(total, 1.0 / ((double) rowsA * rowsB * channels));
    }

    private static NDArray channelOf(NDArray patches, long c, NDArray window) {
        long pp = window.getShape().get(0);
        return patches.get(":, :, " + c * pp + ":" + (c + 1) * pp);
    }

    /** The SSIM of every pair of patches of one channel, a (B, La, pp) and b (B, Lb, pp): (B, La, Lb). */
    private static NDArray ssimOfChannel(NDArray a, NDArray b, NDArray window, double k1, double k2) {
        NDArray muA = a.matMul(window).expandDims(2);
        NDArray muB = b.matMul(window).expandDims(1);
        NDArray varA = a.square().matMul(window).expandDims(2).sub(muA.square());
        NDArray varB = b.square().matMul(window).expandDims(1).sub(muB.square());
        NDArray muAB = muA.mul(muB);
        NDArray cov = a.mul(window).batchMatMul(b.transpose(0, 2, 1)).sub(muAB);
        NDArray luminance = Ops.times(muAB, 2).add(k1 * k1).div(muA.square().add(muB.square()).add(k1 * k1));
        NDArray contrast = Ops.times(cov, 2).add(k2 * k2).div(varA.add(varB).add(k2 * k2));
        return luminance.mul(contrast);
    }

    /**
     * (1 - exp(-t)) / 2 from u = t / 2 >= 0, as tanh(u) / (1 + tanh(u)): exact in real numbers, without
     * cancellation for small t and without overflow for large t.
     */
    private static NDArray halfDeficit(NDArray u) {
        NDArray tanh = u.tanh();
        return tanh.div(tanh.add(1));
    }

    /** [2c x, -c ||x||^2, -c] per row; its product with {@link #right} of y is -c ||x - y||^2. */
    private static NDArray left(NDArray x, double c) {
        NDArray norms = x.square().sum(new int[] {2}, true);
        NDArray constant = x.getManager().full(norms.getShape(), (float) -c, x.getDataType());
        return NDArrays.concat(new NDList(Ops.times(x, 2 * c), Ops.times(norms, -c), constant), 2);
    }

    /** [y, 1, ||y||^2] per row. */
    private static NDArray right(NDArray y) {
        NDArray norms = y.square().sum(new int[] {2}, true);
        NDArray ones = y.getManager().ones(norms.getShape(), y.getDataType());
        return NDArrays.concat(new NDList(y, ones, norms), 2);
    }
}
