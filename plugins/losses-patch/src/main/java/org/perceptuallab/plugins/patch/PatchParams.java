package org.perceptuallab.plugins.patch;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.PlabException;

/** The parameter declarations and size checks the patch losses share, so that all speak alike. */
final class PatchParams {
    static final int MAX_SIDE = 1 << 12;

    private PatchParams() {
    }

    static Param<Integer> patchSize(int defaultValue) {
        return Param.integer("patchSize", defaultValue, 1, 64, "side p of the square patches, in pixels");
    }

    static Param<Integer> stride(int defaultValue) {
        return Param.integer("stride", defaultValue, 1, MAX_SIDE, "step between patches, in pixels");
    }

    static Param<Double> sigma(double defaultValue, String help) {
        return Param.real("sigma", defaultValue, 1e-4, 1e3, help);
    }

    static Param<String> normalizePatch(List<String> choices, String help) {
        return Param.choice("normalizePatch", "none", choices, help);
    }

    /**
     * Fails unless a {@code size} x {@code size} footprint fits in the images of shape (N, C, H, W); checked at
     * the first distance call, when the image size is known.
     */
    static void requireFits(String lossId, Param<Integer> param, int size, Shape images) {
        long h = images.get(2);
        long w = images.get(3);
        if (size > h || size > w) {
            String name = param.name();
            throw new PlabException("loss '" + lossId + "': parameter '" + name + "' (" + size
                    + ") exceeds the image " + h + "x" + w + "; it must be at most " + Math.min(h, w)
                    + " here: use a smaller " + name + " or larger images");
        }
    }
}
