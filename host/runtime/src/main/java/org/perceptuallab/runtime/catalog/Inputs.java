package org.perceptuallab.runtime.catalog;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.InputBound;

/** The one validator of loss inputs, the catalogue's. Never uses {@code assert}: the checks always run. */
public final class Inputs {
    /** Slack allowed outside [-1, 1], for values that went through a resize or an optimiser step. */
    public static final double RANGE_TOLERANCE = 1e-3;

    private Inputs() {
    }

    /**
     * Checks that x and y are two float image batches (N, C, H, W) of one shape with finite values in
     * [-1, 1] (within {@link #RANGE_TOLERANCE}).
     *
     * @param owner named in messages, for example {@code loss 'ssim'}
     * @throws PlabException describing the problem and the fix
     */
    public static void checkPair(String owner, NDArray x, NDArray y) {
        checkPair(owner, x, y, false);
    }

    /**
     * As {@link #checkPair(String, NDArray, NDArray)}; with {@code differentSizes} the batches need only one
     * N and C (for a loss that {@linkplain Loss#acceptsDifferentSizes() accepts different sizes}).
     */
    public static void checkPair(String owner, NDArray x, NDArray y, boolean differentSizes) {
        checkPair(owner, x, y, differentSizes, InputBound.IMAGES);
    }

    /**
     * As {@link #checkPair(String, NDArray, NDArray, boolean)}, with values in [-bound, bound] instead: the
     * range a composite declares for the inputs it hands its inner losses ({@link InputBound}).
     */
    public static void checkPair(String owner, NDArray x, NDArray y, boolean differentSizes, double bound) {
        checkImages(owner, "x", x, bound);
        checkImages(owner, "y", y, bound);
        if (differentSizes) {
            if (x.getShape().get(0) != y.getShape().get(0) || x.getShape().get(1) != y.getShape().get(1)) {
                throw new PlabException(owner + ": x and y must have one batch size and channel count, got x "
                        + x.getShape() + " and y " + y.getShape());
            }
        } else if (!x.getShape().equals(y.getShape())) {
            throw new PlabException(owner + ": x and y must have the same shape, got x " + x.getShape()
                    + " and y " + y.getShape() + "; resize one of them (plab distance --resize)");
        }
        if (!x.getDevice().equals(y.getDevice())) {
            throw new PlabException(owner + ": x is on " + x.getDevice() + " but y on " + y.getDevice());
        }
    }

    /** Checks one batch: rank 4, float type, non-empty, finite, in [-1, 1]. */
    public static void checkImages(String owner, String name, NDArray a) {
        checkImages(owner, name, a, InputBound.IMAGES);
    }

    /** Checks one batch: rank 4, float type, non-empty, finite, in [-bound, bound]. */
    public static void checkImages(String owner, String name, NDArray a, double bound) {
        Shape s = a.getShape();
        if (s.dimension() != 4) {
            throw new PlabException(owner + ": " + name + " must be a batch (N, C, H, W), got shape " + s
                    + (s.dimension() == 3 ? "; add a batch axis with expandDims(0)" : ""));
        }
        if (s.size() == 0) {
            throw new PlabException(owner + ": " + name + " is empty, shape " + s);
        }
        DataType t = a.getDataType();
        if (t != DataType.FLOAT32 && t != DataType.FLOAT64) {
            throw new PlabException(owner + ": " + name + " must be float32 or float64, got " + t);
        }
        // One reduction and one device sync: max |a| is NaN when any element is (torch propagates NaN).
        float peak;
        try (NDArray abs = a.abs(); NDArray max = abs.max(); NDArray value = max.toType(DataType.FLOAT32, false)) {
            peak = value.getFloat();
        }
        if (Float.isNaN(peak)) {
            throw new PlabException(owner + ": " + name + " contains NaN");
        }
        if (peak > bound * (1 + RANGE_TOLERANCE)) {
            float lo = a.min().toType(DataType.FLOAT32, false).getFloat();
            float hi = a.max().toType(DataType.FLOAT32, false).getFloat();
            throw new PlabException(owner + ": " + name + " has values in [" + lo + ", " + hi + "], outside "
                    + (bound == InputBound.IMAGES ? "[-1, 1]; map images as 2 * pixel / 255 - 1"
                    : "[-" + bound + ", " + bound + "], the range its composite hands it"));
        }
    }
}
