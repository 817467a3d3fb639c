package org.perceptuallab.plugins.imagemean;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.io.Images;

/**
 * The similar images whose mean is sought: the images of a folder (centre square, resized), or jittered
 * square crops of one image.
 */
final class Targets {
    private Targets() {
    }

    /**
     * @param data a folder of PNG/JPEG images, or one image file
     * @param size the side of the square targets
     * @param crops how many crops to cut when {@code data} is one image
     * @param jitter the largest crop offset in pixels (at the final size) from the centre, both axes
     * @param maxImages the most images taken from a folder (sorted by name)
     */
    static List<BufferedImage> load(Path data, int size, int crops, int jitter, int maxImages, long seed) {
        if (Files.isDirectory(data)) {
            List<BufferedImage> out = new ArrayList<>();
            for (Path file : imageFiles(data).stream().limit(maxImages).toList()) {
                out.add(Images.resize(centreSquare(Images.read(file)), size, size));
            }
            if (out.size() < 2) {
                throw new PlabException("experiment 'image-mean': folder " + data + " has " + out.size()
                        + " image(s); it needs at least 2 PNG/JPEG images (or give one image and 'crops')");
            }
            return out;
        }
        if (!Files.isRegularFile(data)) {
            throw new PlabException("experiment 'image-mean': data " + data + " not found; give a folder of similar"
                    + " images or one image to cut jittered crops from");
        }
        BufferedImage big = Images.resize(centreSquare(Images.read(data)), size + 2 * jitter, size + 2 * jitter);
        Random random = new Random(seed);
        List<BufferedImage> out = new ArrayList<>();
        for (int i = 0; i < crops; i++) {
            int dx = jitter + (jitter == 0 ? 0 : random.nextInt(2 * jitter + 1) - jitter);
            int dy = jitter + (jitter == 0 ? 0 : random.nextInt(2 * jitter + 1) - jitter);
            out.add(Images.crop(big, dx, dy, size, size));
        }
        return out;
    }

    /** The image files of a folder, sorted by name. */
    static List<Path> imageFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT)
                    .matches(".*\\.(png|jpe?g)")).sorted().toList();
        } catch (IOException e) {
            throw new PlabException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static BufferedImage centreSquare(BufferedImage img) {
        int side = Math.min(img.getWidth(), img.getHeight());
        return Images.crop(img, (img.getWidth() - side) / 2, (img.getHeight() - side) / 2, side, side);
    }
}
