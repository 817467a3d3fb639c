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
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.perceptuallab.kit.io.NumpyArrays;

/** NumPy {@code .npy} and {@code .npz} files, mutated: each read gives arrays or a PlabException. */
class NumpyFuzzTest {
    private static NDManager manager;
    private static Path folder;
    private static List<byte[]> npy;
    private static List<byte[]> npz;

    @BeforeContainer
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

    @AfterContainer
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

    @Provide
    Arbitrary<byte[]> npySeeds() {
        return Arbitraries.of(npy);
    }

    @Provide
    Arbitrary<byte[]> npzSeeds() {
        return Arbitraries.of(npz);
    }

    @Property(seed = "25001")
    void aMutatedNpyReadsOrIsRefused(@ForAll("npySeeds") byte[] seed, @ForAll long draw) {
        Path file = Mutations.write(folder.resolve("a.npy"), Mutations.mutate(seed, draw));
        Mutations.readsOrRefuses(() -> {
            try (NDManager m = manager.newSubManager()) {
                NumpyArrays.read(m, file, null);
            }
        });
    }

    @Property(seed = "25002")
    void aMutatedNpzReadsOrIsRefused(@ForAll("npzSeeds") byte[] seed, @ForAll long draw) {
        Path file = Mutations.write(folder.resolve("a.npz"), Mutations.mutate(seed, draw));
        Mutations.readsOrRefuses(() -> {
            try (NDManager m = manager.newSubManager()) {
                NumpyArrays.readNpz(m, file);
            }
        });
    }
}
