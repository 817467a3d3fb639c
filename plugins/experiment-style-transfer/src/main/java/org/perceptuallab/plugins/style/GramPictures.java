package org.perceptuallab.plugins.style;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.perceptuallab.api.Loss;

/**
 * Pictures of the Gram matrices G = F F^T / (H W) that a Gram-type style loss matches, one per layer of
 * the style image's features, normalised to channel correlations G_ab / sqrt(G_aa G_bb) (raw entries span
 * orders of magnitude, so a few bright channels would hide the rest): entry (a, b) is one grey pixel, white
 * at 1, black at 0 or at the layer's most negative correlation (pre-ReLU layers have some).
 */
final class GramPictures {
    private GramPictures() {
    }

    /**
     * Why the loss gets no Gram pictures, or empty when it gets them: they are drawn for losses that
     * compare Gram matrices of a network's layers (a {@code metric} with "gram" in it and its activations
     * by layer, as {@code vgg} has).
     */
    static Optional<String> unavailable(Loss loss) {
        String metric = loss.spec().params().path("metric").asText("");
        if (!metric.contains("gram")) {
            return Optional.of("loss '" + loss.spec().id() + "' compares no Gram matrices (a deep loss does under"
                    + " a Gram metric, e.g. vgg with metric gram)");
        }
        return Optional.empty();
    }

    /** The style image's (1, C, H, W) Gram picture per layer, by layer name; empty when the map has no layers. */
    static Map<String, BufferedImage> of(Loss loss, NDArray style) {
        Map<String, BufferedImage> out = new LinkedHashMap<>();
        try (NDManager scope = style.getManager().newSubManager()) {
            NDArray image = style.duplicate();
            image.attach(scope);
            for (Map.Entry<String, NDArray> layer : loss.activations(image).entrySet()) {
                out.put(layer.getKey(), picture(correlations(gram(layer.getValue()))));
            }
        }
        return out;
    }

    /** G = F F^T / (H W) of the first image of a (N, C, H, W) map, as a C x C row-major array. */
    static float[] gram(NDArray features) {
        Shape s = features.getShape();
        long c = s.get(1);
        long positions = s.get(2) * s.get(3);
        NDArray f = features.get(0).reshape(c, positions).toType(DataType.FLOAT32, false);
        return f.matMul(f.transpose()).div(positions).toFloatArray();
    }

    /** G_ab / sqrt(G_aa G_bb) of a C x C Gram matrix; 0 where a channel is dead (G_aa = 0). */
    static float[] correlations(float[] gram) {
        int n = (int) Math.round(Math.sqrt(gram.length));
        float[] out = new float[gram.length];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                double norm = Math.sqrt((double) gram[a * n + a] * gram[b * n + b]);
                out[a * n + b] = norm > 0 ? (float) (gram[a * n + b] / norm) : 0f;
            }
        }
        return out;
    }

    /** A square grey picture of a row-major matrix of correlations: white at 1, black at min(0, smallest). */
    static BufferedImage picture(float[] matrix) {
        int n = (int) Math.round(Math.sqrt(matrix.length));
        float lo = 0;
        for (float v : matrix) {
            lo = Math.min(lo, v);
        }
        float range = 1 - lo;
        BufferedImage img = new BufferedImage(n, n, BufferedImage.TYPE_INT_RGB);
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                int grey = Math.round(255 * Math.min(1, (matrix[a * n + b] - lo) / range));
                img.setRGB(b, a, (grey << 16) | (grey << 8) | grey);
            }
        }
        return img;
    }
}
