package org.perceptuallab.kit.io;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.Fixtures;

/** The decoded-image store gives exactly what decoding each file gives, decodes a set once, and notices changes. */
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
        DecodedImages.open(files, 1, 8, 8, Optional.of(cache)).close();
        Path entry = entries(cache).get(0);
        FileTime built = Files.getLastModifiedTime(entry);
        Thread.sleep(20);
        DecodedImages.open(files, 1, 8, 8, Optional.of(cache)).close();
        assertThat(entries(cache)).containsExactly(entry);
        assertThat(Files.getLastModifiedTime(entry)).isEqualTo(built);

        Files.copy(PHOTOS.get(2), files.get(1), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (NDManager m = manager.newSubManager();
             DecodedImages changed = DecodedImages.open(files, 1, 8, 8, Optional.of(cache))) {
            assertThat(entries(cache)).hasSize(2);
            assertThat(changed.batch(m, 1, 2).toFloatArray())
                    .containsExactly(Images.load(m, PHOTOS.get(2), 1, 8, 8).toFloatArray());
        }
    }

    private static List<Path> entries(Path cache) throws Exception {
        try (Stream<Path> files = Files.list(cache.resolve("decoded-images"))) {
            return files.filter(f -> f.toString().endsWith(".f32")).sorted().toList();
        }
    }
}
