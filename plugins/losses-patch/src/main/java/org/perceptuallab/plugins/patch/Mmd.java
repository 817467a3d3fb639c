package org.perceptuallab.plugins.patch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import org.perceptuallab.kit.tensor.Ops;

/**
 * The one biased-MMD reduction of patch-mmd and mmd-exact: MMD^2 = mean Kxx + mean Kyy - 2 mean Kxy over
 * all pairs (i = j included) of two patch sets, per batch element.
 */
final class Mmd {
    /** Kernel-matrix elements computed per block, bounding the temporaries (64 MB in float32). */
    private static final long BLOCK_ELEMENTS = 16L << 20;

    private Mmd() {
    }

    /** A kernel reduced to its mean over all pairs of two patch sets. */
    interface Kernel {
        /**
         * @param a (B, La, D) patch vectors
         * @param b (B, Lb, D) patch vectors
         * @return (B) mean of K(a_i, b_j) over all i, j
         */
        NDArray meanOver(NDArray a, NDArray b);
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
        NDArray ac = a.sub(origin);
        NDArray bc = b.sub(origin);
        return kernel.meanOver(ac, ac).add(kernel.meanOver(bc, bc)).sub(Ops.times(kernel.meanOver(ac, bc), 2));
    }

    /**
     * K(a, b) = a . b. Its mean over all pairs is mean(a) . mean(b), computed so: the MMD is then the squared
     * distance between the mean patches, and no pairwise matrix is built.
     */
    static final Kernel DOT = (a, b) -> a.mean(new int[] {1}).mul(b.mean(new int[] {1})).sum(new int[] {1});

    /**
     * K(a, b) = sum over s of exp(-||a - b||^2 * rates[s]). The matrix -||a_i - b_j||^2 = 2 a.b - ||a||^2 - ||b||^2
     * comes from one matrix product of the patch vectors extended by their squared norms, never from the
     * differences of all pairs; the first rate is folded into that product. Rows of a are taken in blocks
     * whose temporaries are released before the next.
     */
    static Kernel gaussians(double... rates) {
        return (a, b) -> {
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
                    NDArray scaledNegD2 = left(r, rates[0]).batchMatMul(bt);
                    NDArray k = scaledNegD2.exp();
                    for (int s = 1; s < rates.length; s++) {
                        k = k.add(Ops.times(scaledNegD2, rates[s] / rates[0]).exp());
                    }
                    return k.sum(new int[] {1, 2});
                }));
            }
            NDArray total = sums.size() == 1 ? sums.head() : NDArrays.stack(sums, 1).sum(new int[] {1});
            return Ops.times(total, 1.0 / ((double) rowsA * rowsB));
        };
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
