package org.perceptuallab.plugins.generative;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.perceptuallab.kit.tensor.Draws;
import org.perceptuallab.kit.tensor.Ops;

/**
 * The sliced Wasserstein-1 distance between two equal-sized sets of vectors: both projected on random unit
 * directions, each projection sorted, the mean absolute difference of the sorted values over positions and
 * directions. Between images it is taken twice: on whole images (each image one vector of C H W pixels) and
 * on their patches (every p x p patch at a stride, one vector of C p^2 each, all images' patches pooled).
 */
final class SlicedWasserstein {
    private SlicedWasserstein() {
    }

    /** The distance between rows of a and b (both (N, D)) along the columns of {@code directions} (D, K). */
    static double distance(NDArray a, NDArray b, NDArray directions) {
        if (!a.getShape().equals(b.getShape())) {
            throw new IllegalArgumentException("sliced Wasserstein needs sets of one shape, got " + a.getShape()
                    + " and " + b.getShape());
        }
        try (NDManager scope = a.getManager().newSubManager()) {
            // attaching one array twice would hand it back to the scope, which then closes it
            scope.tempAttachAll(a == b ? new NDArray[] {a} : new NDArray[] {a, b});
            NDArray pa = a.matMul(directions).sort(0);
            NDArray pb = b.matMul(directions).sort(0);
            return pa.sub(pb).abs().mean().toType(DataType.FLOAT64, false).getDouble();
        }
    }

    /** {@code count} random unit directions in D dimensions, as the columns of a (D, count) array. */
    static NDArray directions(NDManager manager, Draws draws, long dimensions, int count) {
        NDArray raw = draws.normal(manager, new Shape(dimensions, count));
        try (NDArray norms = raw.square().sum(new int[] {0}, true).sqrt()) {
            return raw.divi(norms);
        }
    }

    /** Images (N, C, H, W) as rows (N, C H W). */
    static NDArray imageRows(NDArray images) {
        return images.reshape(images.getShape().get(0), -1);
    }

    /** Every p x p patch of every image at {@code stride}, as rows (N L, C p^2). */
    static NDArray patchRows(NDArray images, int patch, int stride) {
        NDArray patches = Ops.patches(images, patch, stride);
        return patches.transpose(0, 2, 1).reshape(-1, patches.getShape().get(1));
    }
}
