package org.perceptuallab.kit.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.TorchZipFiles;
import org.perceptuallab.testkit.TorchZipFiles.View;

/**
 * Hostile weight files: malformed tensor headers, a zip bomb and a damaged entry no tensor uses are each
 * refused as bad input naming the file, before the memory they ask for is taken.
 */
class HostileWeightsTest extends CatalogTest {

    static List<Arguments> malformedViews() {
        float[] four = {1, 2, 3, 4};
        return List.of(
                Arguments.of("negative shape", new View(new long[] {-1, 4}, new long[] {4, 1}, 0, four), "negative"),
                Arguments.of("overflowing shape", new View(new long[] {1L << 62, 4}, new long[] {4, 1}, 0, four),
                        "plab.limit.tensorElements"),
                Arguments.of("negative stride", new View(new long[] {2, 2}, new long[] {-2, 1}, 0, four),
                        "strides or an offset"),
                Arguments.of("stride 0 over 10000 x 10000", new View(new long[] {10000, 10000}, new long[] {0, 0}, 0,
                        new float[] {1}), "over a storage of 1"),
                Arguments.of("fewer strides than dimensions", new View(new long[] {2, 2}, new long[] {1}, 0, four),
                        "strides or an offset"),
                Arguments.of("offset past the storage", new View(new long[] {2}, new long[] {1}, 3, four),
                        "reaches past its storage"),
                Arguments.of("overflowing stride", new View(new long[] {2, 2}, new long[] {Long.MAX_VALUE / 2, 1}, 0,
                        four), "reaches past its storage"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedViews")
    void aMalformedTensorIsBadInputNamingTheFileAndTheTensor(String name, View view, String says, @TempDir Path tmp)
            throws IOException {
        Path file = tmp.resolve("w.pth");
        TorchZipFiles.writeViews(file, Map.of("w", view));
        long before = allocatedBytes();
        try (NDManager m = manager.newSubManager()) {
            assertThatThrownBy(() -> WeightFiles.read(file, m, k -> true)).isExactlyInstanceOf(PlabException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("'w'").hasMessageContaining(says);
        }
        assertThat(allocatedBytes() - before).as("heap taken by the refusal").isLessThan(16L << 20);
    }

    @Test
    void aDamagedEntryThatNoSelectedTensorUsesIsRefusedNamingTheEntry(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("w.pth");
        Map<String, View> views = new LinkedHashMap<>();
        views.put("used", new View(new long[] {2}, new long[] {1}, 0, new float[] {1, 2}));
        views.put("unused", new View(new long[] {4}, new long[] {1}, 0, new float[] {1, 2, 3, 4}));
        TorchZipFiles.writeViews(file, views);
        try (NDManager m = manager.newSubManager()) {
            assertThat(WeightFiles.readKeys(file, m, List.of("used")).get("used").toFloatArray()).containsExactly(1, 2);
        }
        TorchZipFiles.damage(file);
        try (NDManager m = manager.newSubManager()) {
            assertThatThrownBy(() -> WeightFiles.readKeys(file, m, List.of("used")))
                    .isExactlyInstanceOf(PlabException.class).hasMessageContaining(file.toString())
                    .hasMessageContaining("archive/data/1").hasMessageContaining("CRC");
        }
    }

    @Test
    void aZipBombPthIsRefusedFromItsDirectoryWithoutInflating(@TempDir Path tmp) throws IOException {
        // A storage entry of 600 MB of zeros (over the 512 MiB an entry may hold), deflated to about 600 KB.
        Path file = tmp.resolve("bomb.pth");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.setLevel(Deflater.BEST_SPEED);
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write(new byte[] {(byte) 0x80, 2, '}', '.'});
            zip.putNextEntry(new ZipEntry("archive/data/0"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 600; i++) {
                zip.write(zeros);
            }
        }
        long before = allocatedBytes();
        try (NDManager m = manager.newSubManager()) {
            assertThatThrownBy(() -> WeightFiles.read(file, m, k -> true)).isExactlyInstanceOf(PlabException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("archive/data/0")
                    .hasMessageContaining("plab.limit.zipEntryBytes");
        }
        assertThat(allocatedBytes() - before).as("heap taken by the refusal").isLessThan(16L << 20);
    }

    @Test
    void aPickleDeclaringAGigabyteStringIsRefusedBeforeAllocatingIt(@TempDir Path tmp) throws IOException {
        // PROTO 2, BINUNICODE of 2^30 bytes: Pyrolite would allocate the declared length first.
        ByteBuffer pickle = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        pickle.put(new byte[] {(byte) 0x80, 2, 'X'}).putInt(1 << 30).put("abc".getBytes(StandardCharsets.US_ASCII));
        Path file = tmp.resolve("w.pth");
        TorchZipFiles.storedZip(file, Map.of("archive/data.pkl", pickle.array()));
        long before = allocatedBytes();
        try (NDManager m = manager.newSubManager()) {
            assertThatThrownBy(() -> WeightFiles.read(file, m, k -> true)).isExactlyInstanceOf(PlabException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("1073741824 bytes");
        }
        assertThat(allocatedBytes() - before).as("heap taken by the refusal").isLessThan(16L << 20);
    }

    @Test
    void aSafetensorsHeaderOutsideItsFileIsRefusedNamingTheTensor(@TempDir Path tmp) throws IOException {
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[10000,10000],\"data_offsets\":[0,400000000]}}";
        ByteBuffer b = ByteBuffer.allocate(8 + header.length() + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        Path file = Files.write(tmp.resolve("w.safetensors"), b.array());
        try (NDManager m = manager.newSubManager()) {
            assertThatThrownBy(() -> WeightFiles.read(file, m, k -> true)).isExactlyInstanceOf(PlabException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("'w'").hasMessageContaining("damaged");
        }
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
