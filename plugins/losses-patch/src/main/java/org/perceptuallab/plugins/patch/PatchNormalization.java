package org.perceptuallab.plugins.patch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import org.perceptuallab.kit.tensor.Ops;

/**
 * The {@code normalizePatch} modes. On patch sets (patch-mmd, mmd-exact, patch-swd) each image's patches
 * are centred on their own statistics: {@code channel_mean} subtracts, per channel, the mean over all
 * patches and positions; {@code mean} the mean over everything; {@code normalize} also divides by the
 * (unbiased) standard deviation over everything. On random filters (mmd-approx) {@code channel_mean}
 * subtracts each filter's per-channel spatial mean and {@code mean} its overall mean.
 */
enum PatchNormalization {
    NONE("none"), CHANNEL_MEAN("channel_mean"), MEAN("mean"), NORMALIZE("normalize");

    /** Keeps the division finite on a constant image. */
    private static final double STD_FLOOR = 1e-8;

    final String id;

    PatchNormalization(String id) {
        this.id = id;
    }

    static List<String> ids(PatchNormalization... modes) {
        return Arrays.stream(modes).map(m -> m.id).toList();
    }

    static List<String> allIds() {
        return ids(values());
    }

    static PatchNormalization of(String id) {
        return Arrays.stream(values()).filter(m -> m.id.equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(id));
    }

    /**
     * Normalises patch sets as {@link org.perceptuallab.kit.tensor.Ops#patches} lays them out.
     *
     * @param patches (B, C * p * p, L), one set per batch element
     */
    NDArray ofPatches(NDArray patches, long channels) {
        if (this == NONE) {
            return patches;
        }
        Shape s = patches.getShape();
        NDArray v = patches.reshape(s.get(0), channels, -1, s.get(2));
        NDArray centred = v.sub(trailingMean(v, this == CHANNEL_MEAN ? 2 : 1));
        if (this == NORMALIZE) {
            double count = s.size() / s.get(0);
            NDArray variance = Ops.times(trailingMean(centred.square(), 1), count / Math.max(count - 1, 1));
            centred = centred.div(variance.add(STD_FLOOR * STD_FLOOR).sqrt());
        }
        return centred.reshape(s);
    }

    /**
     * Normalises random filters (F, C, p, p).
     *
     * @throws IllegalStateException for {@link #NORMALIZE}, which filters do not take
     */
    NDArray ofFilters(NDArray w) {
        return switch (this) {
            case NONE -> w;
            case CHANNEL_MEAN -> w.sub(trailingMean(w, 2));
            case MEAN -> w.sub(trailingMean(w, 1));
            case NORMALIZE -> throw new IllegalStateException("filters are not normalised by their std");
        };
    }

    /** Mean over the axes from {@code from} on, kept as size-1 axes for broadcasting. */
    private static NDArray trailingMean(NDArray v, int from) {
        Shape s = v.getShape();
        long[] kept = new long[s.dimension()];
        for (int i = 0; i < kept.length; i++) {
            kept[i] = i < from ? s.get(i) : 1;
        }
        return v.reshape(s.slice(0, from).add(-1)).mean(new int[] {from}).reshape(new Shape(kept));
    }
}
