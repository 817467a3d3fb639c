package org.perceptuallab.kit.fuzz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.perceptuallab.testkit.Fuzz;
import org.perceptuallab.kit.io.LabelledImages;

/** IDX image and label files (MNIST's layout) mutated: each read gives a labelled set or a PlabException. */
class IdxFuzzTest {
    private static Path folder;
    private static byte[] images;
    private static byte[] labels;

    @BeforeAll
    static void seeds() throws IOException {
        Mutations.smallBudgets();
        folder = Files.createTempDirectory("idx-fuzz");
        int count = 6;
        ByteBuffer i = ByteBuffer.allocate(16 + count * 28 * 28).putInt(0x803).putInt(count).putInt(28).putInt(28);
        while (i.hasRemaining()) {
            i.put((byte) (i.position() * 7));
        }
        images = i.array();
        ByteBuffer l = ByteBuffer.allocate(8 + count).putInt(0x801).putInt(count);
        for (int k = 0; k < count; k++) {
            l.put((byte) (k % 3));
        }
        labels = l.array();
    }

    @AfterAll
    static void close() {
        Mutations.defaultBudgets();
    }

    @Test
    void mutatedIdxFilesReadOrAreRefused() {
        Fuzz.run(25031L, random -> mutatedIdxFilesReadOrAreRefused(random.nextLong(), random.nextBoolean()));
    }

    private void mutatedIdxFilesReadOrAreRefused(long draw, boolean mutateLabels) {
        Path imagesFile = Mutations.write(folder.resolve("train-images-idx3-ubyte"),
                mutateLabels ? images : Mutations.mutate(images, draw));
        Mutations.write(folder.resolve("train-labels-idx1-ubyte"), mutateLabels ? Mutations.mutate(labels, draw) : labels);
        Mutations.readsOrRefuses(() -> {
            try {
                LabelledImages.read("fuzz", imagesFile, 8, 0, 1);
            } catch (IOException e) {
                throw new AssertionError("an IOException escaped the reader", e);
            }
        });
    }
}
