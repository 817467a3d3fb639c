package org.perceptuallab.kit.fuzz;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.perceptuallab.testkit.Fixtures;
import org.perceptuallab.testkit.Fuzz;
import org.perceptuallab.kit.io.Images;

/**
 * Image files mutated, headers first: PNG, JPEG, GIF and BMP of a photo; each read gives an image or a
 * PlabException, and no declared size past the pixel budget is decoded.
 */
class ImageFuzzTest {
    private static final Path PHOTO = Fixtures.photo("astronaut.png");
    private static Path folder;
    private static final List<Seed> seeds = new ArrayList<>();

    record Seed(String format, byte[] bytes) {
    }

    @BeforeAll
    static void seeds() throws IOException {
        Mutations.smallBudgets();
        folder = Files.createTempDirectory("image-fuzz");
        BufferedImage photo = Images.resize(Images.read(PHOTO), 24, 16);
        for (String format : List.of("png", "jpg", "gif", "bmp")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(photo, format, out)) {
                throw new IllegalStateException("no writer for " + format);
            }
            seeds.add(new Seed(format, out.toByteArray()));
        }
    }

    @AfterAll
    static void close() {
        Mutations.defaultBudgets();
    }

    private static List<Seed> images() {
        return List.copyOf(seeds);
    }

    @Test
    void aMutatedImageDecodesOrIsRefused() {
        Fuzz.run(25021L, random -> aMutatedImageDecodesOrIsRefused(Fuzz.pick(random, images()), random.nextLong()));
    }

    private void aMutatedImageDecodesOrIsRefused(Seed seed, long draw) {
        Path file = Mutations.write(folder.resolve("image." + seed.format()), Mutations.mutate(seed.bytes(), draw));
        Mutations.readsOrRefuses(() -> Images.read(file));
    }

    /** Mutations kept to the first 64 bytes, where the signature, the size and the first chunks lie. */
    @Test
    void anImageWithAMutatedHeaderDecodesOrIsRefused() {
        Fuzz.run(25022L, random -> anImageWithAMutatedHeaderDecodesOrIsRefused(Fuzz.pick(random, images()), random.nextLong()));
    }

    private void anImageWithAMutatedHeaderDecodesOrIsRefused(Seed seed, long draw) {
        byte[] head = java.util.Arrays.copyOf(seed.bytes(), Math.min(64, seed.bytes().length));
        byte[] mutated = Mutations.mutate(head, draw);
        byte[] whole = new byte[mutated.length + seed.bytes().length - head.length];
        System.arraycopy(mutated, 0, whole, 0, mutated.length);
        System.arraycopy(seed.bytes(), head.length, whole, mutated.length, seed.bytes().length - head.length);
        Path file = Mutations.write(folder.resolve("header." + seed.format()), whole);
        Mutations.readsOrRefuses(() -> Images.read(file));
    }
}
