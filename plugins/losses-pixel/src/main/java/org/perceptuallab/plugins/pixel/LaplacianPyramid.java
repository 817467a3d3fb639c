package org.perceptuallab.plugins.pixel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.tensor.Pyramids;

/**
 * The study's Laplacian pyramid, which {@code lap1} and the {@code laplacian} composite share: its parameters,
 * its blur kernel, the weights of its bands, and the image size it needs.
 */
final class LaplacianPyramid {
    static final Param<Integer> LEVELS = Param.integer("levels", 2, 1, 10,
            "number of band-pass levels (a residual band is added)");
    static final Param<Integer> KERNEL_SIZE = Param.integer("kernelSize", 5, 1, 31, "side of the blur kernel, odd");

    /** The band weights w(j) of the study's four weighting modes, j = 0 the finest band, L = levels. */
    enum Weighting {
        FOUR_POW_J("4^j"), FOUR_POW_MINUS_J("4^-j"), FOUR_POW_LEVELS_MINUS_J("4^(levels-j)"), ONE("1");

        final String id;

        Weighting(String id) {
            this.id = id;
        }

        static Param<String> param() {
            return Param.choice("weighting", FOUR_POW_J.id, Arrays.stream(values()).map(w -> w.id).toList(),
                    "weight of band j (0 the finest), the study's modes 0 to 3 in order");
        }

        static Weighting of(String id) {
            return Arrays.stream(values()).filter(w -> w.id.equals(id)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(id));
        }

        double weight(int j, int levels) {
            return switch (this) {
                case FOUR_POW_J -> Math.pow(4, j);
                case FOUR_POW_MINUS_J -> Math.pow(4, -j);
                case FOUR_POW_LEVELS_MINUS_J -> Math.pow(4, levels - j);
                case ONE -> 1;
            };
        }
    }

    private final String lossId;
    private final int levels;
    private final NDArray kernel;

    /** @param manager owns the kernel, a constant of the loss */
    LaplacianPyramid(String lossId, int levels, int kernelSize, double sigma, NDManager manager) {
        if (kernelSize % 2 == 0) {
            throw new PlabException("loss '" + lossId + "': parameter 'kernelSize' must be odd, got " + kernelSize);
        }
        this.lossId = lossId;
        this.levels = levels;
        this.kernel = manager.create(kernel(kernelSize, sigma), new Shape(1, 1, kernelSize, kernelSize));
    }

    static Param<Double> sigma(double defaultValue) {
        return Param.real("sigma", defaultValue, 1e-3, 100, "width of the blur kernel");
    }

    int levels() {
        return levels;
    }

    /**
     * The levels + 1 bands of {@code x} ({@link Pyramids#laplacian}).
     *
     * @throws PlabException when the images are too small for the levels
     */
    List<NDArray> bands(NDArray x) {
        long side = Math.min(x.getShape().get(2), x.getShape().get(3));
        if (side >> levels < 1) {
            throw new PlabException("loss '" + lossId + "': " + levels + " levels need images of at least "
                    + (1 << levels) + " pixels a side, got " + side + "; use fewer levels or larger images");
        }
        return Pyramids.laplacian(x, levels, kernel);
    }

    /** Releases the kernel. */
    void close() {
        kernel.close();
    }

    /** k[i][j] proportional to g(i) + g(j), g(t) = exp(-(t - c)^2 / (2 sigma^2))^2, normalised to sum 1. */
    static float[] kernel(int size, double sigma) {
        double c = size / 2;
        double[] g = new double[size];
        for (int t = 0; t < size; t++) {
            double e = Math.exp(-(t - c) * (t - c) / (2 * sigma * sigma));
            g[t] = e * e;
        }
        double[] k = new double[size * size];
        double sum = 0;
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                k[i * size + j] = g[i] + g[j];
                sum += k[i * size + j];
            }
        }
        float[] out = new float[k.length];
        for (int i = 0; i < k.length; i++) {
            out[i] = (float) (k[i] / sum);
        }
        return out;
    }
}
