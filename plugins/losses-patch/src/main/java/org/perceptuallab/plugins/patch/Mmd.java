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
