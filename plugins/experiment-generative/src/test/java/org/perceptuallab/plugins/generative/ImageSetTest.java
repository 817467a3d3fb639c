package org.perceptuallab.plugins.generative;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.Fixtures;

/** The held-out split: sizes, disjoint parts, drawn by the seed; grey or colour, resized and cropped. */
class ImageSetTest extends CatalogTest {

    @Test
    void theHeldOutFractionIsDrawnByTheSeedAndDisjointFromTraining(@TempDir Path dir) throws Exception {
        Path classes = Fixtures.photoClasses(dir, 4);
        try (NDManager m = manager.newSubManager()) {
            ImageSet set = ImageSet.read("test", classes, 32, false, 0, 0.25, 5, m);
            assertThat(set.train().getShape()).isEqualTo(new Shape(9, 3, 32, 32));
            assertThat(set.heldOut().getShape()).isEqualTo(new Shape(3, 3, 32, 32));
            int[] train = set.trainSources();
            assertThat(train).isSorted().hasSize(9);
            ImageSet again = ImageSet.read("test", classes, 32, false, 0, 0.25, 5, m);
            assertThat(again.trainSources()).containsExactly(train);
            ImageSet other = ImageSet.read("test", classes, 32, true, 0, 0.25, 6, m);
            assertThat(other.trainSources()).isNotEqualTo(train);
            assertThat(other.train().getShape()).isEqualTo(new Shape(9, 1, 32, 32));

            ImageSet subset = ImageSet.read("test", classes, 32, false, 8, 0.5, 5, m);
            assertThat(subset.trainCount()).isEqualTo(4);
            assertThat(subset.heldOutCount()).isEqualTo(4);
            ImageSet all = ImageSet.read("test", classes, 32, false, 0, 0, 5, m);
            assertThat(all.heldOut()).isNull();
            assertThat(all.trainSources()).containsExactly(IntStream.range(0, 12).toArray());
            // a held-out image is none of the training images
            int heldOutSource = IntStream.range(0, 12).filter(i -> Arrays.stream(train).noneMatch(t -> t == i))
                    .findFirst().orElseThrow();
            assertThat(set.heldOut().get(0).toFloatArray())
                    .containsExactly(all.train().get(heldOutSource).toFloatArray());
        }
    }
}
