package org.perceptuallab.kit.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.testkit.Fixtures;

/** The labelled-image readers on each layout: class folders, a flat folder, IDX, CIFAR-10 batches. */
class LabelledImagesTest {
    private static final String OWNER = "experiment 'test'";

    @Test
    void readsOneFolderPerClassInAnyFormatResizedAndCentreCropped(@TempDir Path dir) throws IOException {
        Path data = Fixtures.photoClasses(dir, 3);
        LabelledImages set = LabelledImages.read(OWNER, data, 16, 0, 0);
        assertThat(set.classes()).containsExactly("brick", "coffee", "rocket");
        assertThat(set.labels()).containsExactly(0, 0, 0, 1, 1, 1, 2, 2, 2);
        assertThat(set.images()).allSatisfy(img -> {
            assertThat(img.getWidth()).isEqualTo(16);
            assertThat(img.getHeight()).isEqualTo(16);
        });
        LabelledImages two = LabelledImages.read(OWNER, data, 16, 2, 7);
        assertThat(two.labels()).containsExactly(0, 0, 1, 1, 2, 2);
        assertThat(LabelledImages.read(OWNER, data, 16, 2, 7).images().get(3).getRGB(5, 5))
                .isEqualTo(two.images().get(3).getRGB(5, 5));
    }

    @Test
    void readsIdxFilesGzippedOrNot(@TempDir Path dir) throws IOException {
        for (boolean gzip : new boolean[] {true, false}) {
            Path folder = Files.createDirectories(dir.resolve("gz-" + gzip));
            String suffix = gzip ? ".gz" : "";
            writeIdx(folder.resolve("t10k-images-idx3-ubyte" + suffix), folder.resolve("t10k-labels-idx1-ubyte" + suffix),
                    gzip);
            LabelledImages set = LabelledImages.read(OWNER, folder.resolve("t10k-images-idx3-ubyte" + suffix), 4, 0, 0);
            assertThat(set.labels()).containsExactly(2, 0, 1);
            assertThat(set.classes()).containsExactly("0", "1", "2");
            // image i is a flat grey of value 40 i + 10, so resizing keeps it
            assertThat(set.images().get(1).getRGB(2, 2) & 0xff).isEqualTo(50);
            assertThat(LabelledImages.read(OWNER, folder, 4, 0, 0).labels()).containsExactly(2, 0, 1);
        }
        Path cut = dir.resolve("cut-images-idx3-ubyte");
        Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(dir.resolve("gz-false/t10k-images-idx3-ubyte")), 30));
        Files.copy(dir.resolve("gz-false/t10k-labels-idx1-ubyte"), dir.resolve("cut-labels-idx1-ubyte"));
        assertThatThrownBy(() -> LabelledImages.read(OWNER, cut, 4, 0, 0)).isInstanceOf(PlabException.class)
                .hasMessageContaining("truncated").hasMessageContaining("cut-images-idx3-ubyte");
    }

    @Test
    void readsCifarBinaryBatchesWithTheirClassNames(@TempDir Path dir) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
        byte[] batch = new byte[2 * 3073];
        batch[0] = 1;
        batch[3073] = 0;
        for (int i = 0; i < 1024; i++) {
            batch[1 + i] = (byte) 200;          // first image: red 200, green 0, blue 0
            batch[3073 + 1 + 2048 + i] = 100;   // second image: blue 100
        }
        Files.write(folder.resolve("data_batch_1.bin"), batch);
        Files.writeString(folder.resolve("batches.meta.txt"), "airplane\nautomobile\n\n");
        LabelledImages set = LabelledImages.read(OWNER, folder, 32, 0, 0);
        assertThat(set.classes()).containsExactly("airplane", "automobile");
        assertThat(set.labels()).containsExactly(1, 0);
        assertThat(set.images().get(0).getRGB(3, 4) & 0xffffff).isEqualTo(200 << 16);
        assertThat(set.images().get(1).getRGB(31, 31) & 0xffffff).isEqualTo(100);
        Files.write(folder.resolve("data_batch_2.bin"), new byte[100]);
        assertThatThrownBy(() -> LabelledImages.read(OWNER, folder, 32, 0, 0)).isInstanceOf(PlabException.class)
                .hasMessageContaining("data_batch_2.bin").hasMessageContaining("not a CIFAR-10 binary batch");
    }


    /** Three 5x5 images of flat grey 10, 50, 90 labelled 2, 0, 1, in IDX format. */
    private static void writeIdx(Path images, Path labels, boolean gzip) throws IOException {
        try (DataOutputStream out = new DataOutputStream(open(images, gzip))) {
            out.writeInt(0x803);
            out.writeInt(3);
            out.writeInt(5);
            out.writeInt(5);
            for (int i = 0; i < 3; i++) {
                for (int p = 0; p < 25; p++) {
                    out.write(40 * i + 10);
                }
            }
        }
        try (DataOutputStream out = new DataOutputStream(open(labels, gzip))) {
            out.writeInt(0x801);
            out.writeInt(3);
            out.write(new byte[] {2, 0, 1});
        }
    }

    private static OutputStream open(Path file, boolean gzip) throws IOException {
        OutputStream out = Files.newOutputStream(file);
        return gzip ? new GZIPOutputStream(out) : out;
    }

    @Test
    void aFlatFolderOfImagesIsOneClassNamedAfterIt(@TempDir Path dir) throws IOException {
        Path rocket = Fixtures.photoClasses(dir, 3).resolve("rocket");
        LabelledImages set = LabelledImages.read(OWNER, rocket, 8, 0, 0);
        assertThat(set.classes()).containsExactly("rocket");
        assertThat(set.labels()).containsExactly(0, 0, 0);
        Files.createDirectories(rocket.resolve("more"));
        Files.copy(rocket.resolve("0.png"), rocket.resolve("more/0.png"));
        assertThatThrownBy(() -> LabelledImages.read(OWNER, rocket, 8, 0, 0)).isInstanceOf(PlabException.class)
                .hasMessageContaining(OWNER).hasMessageContaining("images beside class folders");
    }
}
