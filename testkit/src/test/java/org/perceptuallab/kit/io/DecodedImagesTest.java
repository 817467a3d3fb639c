package org.perceptuallab.kit.io;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.Fixtures;

/**
 * The decoded-image store gives exactly what decoding each file gives, decodes a set once (decodings counted),
 * and notices changes.
 */
class DecodedImagesTest extends CatalogTest {
    private static final List<Path> PHOTOS = List.of(Fixtures.photo("chelsea.png"), Fixtures.photo("astronaut.png"),
            Fixtures.photo("starry_night.png"));

    @Test
    void cachedAndDirectBatchesEqualImagesLoad(@TempDir Path cache) {
        try (NDManager m = manager.newSubManager();
             DecodedImages direct = DecodedImages.open(PHOTOS, 3, 20, 16, Optional.empty());
             DecodedImages cached = DecodedImages.open(PHOTOS, 3, 20, 16, Optional.of(cache))) {
            NDList one = new NDList();
            for (Path p : PHOTOS.subList(1, 3)) {
                one.add(Images.load(m, p, 3, 20, 16));
            }
            NDArray expected = NDArrays.concat(one, 0);
            assertThat(direct.batch(m, 1, 3).getShape()).isEqualTo(expected.getShape());
            assertThat(direct.batch(m, 1, 3).toFloatArray()).containsExactly(expected.toFloatArray());
            assertThat(cached.batch(m, 1, 3).toFloatArray()).containsExactly(expected.toFloatArray());
            assertThat(cached.batch(m, 0, 0).getShape().get(0)).isZero();
        }
    }

    @Test
    void aSetIsDecodedOnceAndAChangedFileMakesANewEntry(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("cache");
        List<Path> files = List.of(Files.copy(PHOTOS.get(0), dir.resolve("a.png")),
                Files.copy(PHOTOS.get(1), dir.resolve("b.png")));
        AtomicInteger decodes = new AtomicInteger();
        Function<Path, BufferedImage> counting = file -> {
            decodes.incrementAndGet();
            return Images.read(file);
        };
        try (NDManager m = manager.newSubManager()) {
            DecodedImages.open(files, 1, 8, 8, Optional.of(cache), counting).close();
            assertThat(decodes).as("the first open decodes each file").hasValue(2);
            Path entry = entries(cache).get(0);
            try (DecodedImages again = DecodedImages.open(files, 1, 8, 8, Optional.of(cache), counting)) {
                again.batch(m, 0, 2);
                again.batch(m, 0, 2);
            }
            assertThat(decodes).as("opening and reading the set again decodes nothing").hasValue(2);
            assertThat(entries(cache)).containsExactly(entry);

            Files.copy(PHOTOS.get(2), files.get(1), StandardCopyOption.REPLACE_EXISTING);
            try (DecodedImages changed = DecodedImages.open(files, 1, 8, 8, Optional.of(cache), counting)) {
                assertThat(decodes).as("a changed file: the set is decoded anew").hasValue(4);
                assertThat(entries(cache)).hasSize(2);
                assertThat(changed.batch(m, 1, 2).toFloatArray())
                        .containsExactly(Images.load(m, PHOTOS.get(2), 1, 8, 8).toFloatArray());
            }
            try (DecodedImages direct = DecodedImages.open(files, 1, 8, 8, Optional.empty(), counting)) {
                direct.batch(m, 0, 1);
                direct.batch(m, 0, 1);
            }
            assertThat(decodes).as("without a cache, each batch decodes its files").hasValue(6);
        }
    }

    private static List<Path> entries(Path cache) throws Exception {
        try (Stream<Path> files = Files.list(cache.resolve("decoded-images"))) {
            return files.filter(f -> f.toString().endsWith(".f32")).sorted().toList();
        }
    }
}
