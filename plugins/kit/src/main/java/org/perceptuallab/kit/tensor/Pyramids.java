package org.perceptuallab.kit.tensor;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/** Image pyramids on (N, C, H, W) tensors. */
public final class Pyramids {
    private Pyramids() {
    }

    /** levels + 1 images: x, then repeated 2 x 2 average pooling. */
    public static List<NDArray> average(NDArray x, int levels) {
        List<NDArray> out = new ArrayList<>(levels + 1);
        NDArray current = x;
        out.add(current);
        for (int i = 0; i < levels; i++) {
            current = Ops.avgPool(current, 2, 2);
            out.add(current);
        }
        return out;
    }

    /**
     * levels + 1 Laplacian bands: at each level, blurred = kernel * replicate_pad(current), band = current -
     * blurred, current = avgpool2(blurred); the last band is the final current.
     *
     * @param kernel a (1, 1, k, k) blur kernel with odd k, applied to every channel
     */
    public static List<NDArray> laplacian(NDArray x, int levels, NDArray kernel) {
        int pad = (int) kernel.getShape().get(3) / 2;
        List<NDArray> bands = new ArrayList<>(levels + 1);
        NDArray current = x;
        for (int i = 0; i < levels; i++) {
            NDArray blurred = Ops.depthwise(Ops.replicatePad(current, pad), kernel);
            bands.add(current.sub(blurred));
            current = Ops.avgPool(blurred, 2, 2);
        }
        bands.add(current);
        return bands;
    }
}
