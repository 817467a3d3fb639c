package org.perceptuallab.kit.io;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Random;

/**
 * Small seeded images with structure at several scales (a sum of random oriented waves per channel), for
 * the tiny inputs an experiment makes for its conformance run ({@code Experiment.tinyRun}).
 */
public final class SyntheticImages {
    private static final int WAVES = 6;

    private SyntheticImages() {
    }

    /** A {@code size} x {@code size} PNG at {@code file}, the same for the same seed; returns the file. */
    public static Path write(Path file, int size, long seed) {
        Images.writePng(image(size, seed), file);
        return file;
    }

    private static BufferedImage image(int size, long seed) {
        Random random = new Random(seed);
        double[][] waves = new double[3 * WAVES][];
        for (int i = 0; i < waves.length; i++) {
            double angle = random.nextDouble() * Math.PI;
            double frequency = (1 + random.nextInt(6)) * 2 * Math.PI / size;
            waves[i] = new double[] {Math.cos(angle) * frequency, Math.sin(angle) * frequency,
                    random.nextDouble() * 2 * Math.PI};
        }
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = 0;
                for (int c = 0; c < 3; c++) {
                    double v = 0;
                    for (int w = c * WAVES; w < (c + 1) * WAVES; w++) {
                        v += Math.sin(waves[w][0] * x + waves[w][1] * y + waves[w][2]);
                    }
                    int level = (int) Math.round(127.5 + 127.5 * v / WAVES);
                    rgb = (rgb << 8) | Math.max(0, Math.min(255, level));
                }
                out.setRGB(x, y, rgb);
            }
        }
        return out;
    }
}
