package org.perceptuallab.kit.fuzz;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.perceptuallab.testkit.Fuzz;
import org.perceptuallab.kit.io.NumpyArrays;

/** NumPy {@code .npy} and {@code .npz} files, mutated: each read gives arrays or a PlabException. */
class NumpyFuzzTest {
    private static NDManager manager;
    private static Path folder;
    private static List<byte[]> npy;
    private static List<byte[]> npz;

    @BeforeAll
    static void seeds() throws IOException {
        Mutations.smallBudgets();
        manager = NDManager.newBaseManager();
        folder = Files.createTempDirectory("npy-fuzz");
        try (NDManager m = manager.newSubManager()) {
            byte[] floats = npy(m.arange(6f).reshape(2, 3));
            byte[] doubles = npy(m.arange(4f).toType(DataType.FLOAT64, false).reshape(new Shape(4)));
            byte[] longs = npy(m.arange(0, 5, 1, DataType.INT64));
            npy = List.of(floats, doubles, longs);
            npz = List.of(npz(false, floats, longs), npz(true, doubles));
        }
    }

    @AfterAll
    static void close() {
        manager.close();
        Mutations.defaultBudgets();
    }

    private static byte[] npy(ai.djl.ndarray.NDArray a) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NumpyArrays.writeNpy(a, out);
        return out.toByteArray();
    }

    /** As numpy.savez (stored) or savez_compressed (deflated) writes it. */
    private static byte[] npz(boolean deflated, byte[]... arrays) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.setLevel(deflated ? 6 : 0);
            for (int i = 0; i < arrays.length; i++) {
                zip.putNextEntry(new ZipEntry("arr_" + i + ".npy"));
                zip.write(arrays[i]);
            }
        }
        return out.toByteArray();
    }

    private static List<byte[]> npySeeds() {
        return List.copyOf(npy);
    }

    private static List<byte[]> npzSeeds() {
        return List.copyOf(npz);
    }

    @Test
    void aMutatedNpyReadsOrIsRefused() {
        Fuzz.run(25001L, random -> aMutatedNpyReadsOrIsRefused(Fuzz.pick(random, npySeeds()), random.nextLong()));
    }

    private void aMutatedNpyReadsOrIsRefused(byte[] seed, long draw) {
        Path file = Mutations.write(folder.resolve("a.npy"), Mutations.mutate(seed, draw));
        Mutations.readsOrRefuses(() -> {
            try (NDManager m = manager.newSubManager()) {
                NumpyArrays.read(m, file, null);
            }
        });
    }

    @Test
    void aMutatedNpzReadsOrIsRefused() {
        Fuzz.run(25002L, random -> aMutatedNpzReadsOrIsRefused(Fuzz.pick(random, npzSeeds()), random.nextLong()));
    }

    private void aMutatedNpzReadsOrIsRefused(byte[] seed, long draw) {
        Path file = Mutations.write(folder.resolve("a.npz"), Mutations.mutate(seed, draw));
        Mutations.readsOrRefuses(() -> {
            try (NDManager m = manager.newSubManager()) {
                NumpyArrays.readNpz(m, file);
            }
        });
    }
}
