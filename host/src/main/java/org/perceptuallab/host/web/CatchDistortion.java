package org.perceptuallab.host.web;

import java.awt.image.BufferedImage;
import java.util.Random;

/**
 * The distorted candidate of a catch trial: a strong box blur (radius an eighth of the image, at most 12 pixels) and strong noise,
 * so that any attentive rater picks the undistorted copy.
 */
final class CatchDistortion {
    private static final double NOISE_SIGMA = 60;
    /** Bounds the work on large images: the box mean costs (2r+1)^2 reads per pixel. */
    private static final int MAX_RADIUS = 12;

    private CatchDistortion() {
    }

    static BufferedImage apply(BufferedImage ref, long seed) {
        int w = ref.getWidth();
        int h = ref.getHeight();
        int radius = Math.max(1, Math.min(MAX_RADIUS, Math.min(w, h) / 8));
        Random random = new Random(seed);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = 0;
                for (int shift = 16; shift >= 0; shift -= 8) {
                    double mean = boxMean(ref, x, y, radius, shift);
                    int level = (int) Math.round(mean + random.nextGaussian() * NOISE_SIGMA);
                    rgb = (rgb << 8) | Math.max(0, Math.min(255, level));
                }
                out.setRGB(x, y, rgb);
            }
        }
        return out;
    }

    private static double boxMean(BufferedImage img, int cx, int cy, int radius, int shift) {
        double sum = 0;
        int n = 0;
        for (int y = Math.max(0, cy - radius); y <= Math.min(img.getHeight() - 1, cy + radius); y++) {
            for (int x = Math.max(0, cx - radius); x <= Math.min(img.getWidth() - 1, cx + radius); x++) {
                sum += (img.getRGB(x, y) >> shift) & 0xff;
                n++;
            }
        }
        return sum / n;
    }
}
