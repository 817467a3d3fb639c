package org.perceptuallab.kit.fuzz;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.perceptuallab.testkit.Fuzz;
import org.perceptuallab.kit.weights.WeightFiles;
import org.perceptuallab.testkit.Fixtures;
import org.perceptuallab.testkit.TorchZipFiles;

/**
 * Weight files mutated: torch.save zip (pickle and storages), torch.save legacy (the golden files torch
 * wrote) and safetensors; each read gives tensors or a PlabException.
 */
class WeightFilesFuzzTest {
    private static NDManager manager;
    private static Path folder;
    private static List<byte[]> torchZip;
    /** The seed's entries: its pickle is mutated inside a zip whose CRCs hold, so the unpickler sees it. */
    private static final Map<String, byte[]> torchEntries = new LinkedHashMap<>();
    private static List<byte[]> legacy;
    private static List<byte[]> safetensors;

    @BeforeAll
    static void seeds() throws IOException {
        Mutations.smallBudgets();
        manager = NDManager.newBaseManager();
        folder = Files.createTempDirectory("weights-fuzz");
        Path pth = folder.resolve("seed.pth");
        try (NDManager m = manager.newSubManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("features.0.weight", m.arange(24f).reshape(2, 3, 2, 2));
            tensors.put("features.0.bias", m.arange(2f));
            TorchZipFiles.write(pth, tensors);
            torchZip = List.of(Files.readAllBytes(pth));
            try (ZipFile zip = new ZipFile(pth.toFile())) {
                for (ZipEntry e : Collections.list(zip.entries())) {
                    torchEntries.put(e.getName(), zip.getInputStream(e).readAllBytes());
                }
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            NDList list = new NDList(tensors.values());
            tensors.forEach((name, a) -> a.setName(name));
            list.encode(out, NDList.Encoding.SAFETENSORS);
            safetensors = List.of(out.toByteArray());
        }
        try (Stream<Path> files = Files.list(Fixtures.golden().resolve("pth-formats"))) {
            legacy = files.filter(f -> f.getFileName().toString().endsWith("-legacy.pth")).sorted().map(f -> {
                try {
                    return Files.readAllBytes(f);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }

    @AfterAll
    static void close() {
        manager.close();
        Mutations.defaultBudgets();
    }

    private static List<byte[]> torchZipSeeds() {
        return List.copyOf(torchZip);
    }

    private static List<byte[]> legacySeeds() {
        return List.copyOf(legacy);
    }

    private static List<byte[]> safetensorsSeeds() {
        return List.copyOf(safetensors);
    }

    private static void readsOrRefuses(String name, byte[] bytes) {
        Path file = Mutations.write(folder.resolve(name), bytes);
        Mutations.readsOrRefuses(() -> {
            try (NDManager m = manager.newSubManager()) {
                WeightFiles.read(file, m, k -> true);
            }
        });
    }

    @Test
    void aMutatedTorchZipReadsOrIsRefused() {
        Fuzz.run(25011L, random -> aMutatedTorchZipReadsOrIsRefused(Fuzz.pick(random, torchZipSeeds()), random.nextLong()));
    }

    private void aMutatedTorchZipReadsOrIsRefused(byte[] seed, long draw) {
        readsOrRefuses("w.pth", Mutations.mutate(seed, draw));
    }

    @Test
    void aTorchZipWithAMutatedPickleReadsOrIsRefused() {
        Fuzz.run(25014L, random -> aTorchZipWithAMutatedPickleReadsOrIsRefused(random.nextLong()));
    }

    private void aTorchZipWithAMutatedPickleReadsOrIsRefused(long draw) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>(torchEntries);
        entries.put("archive/data.pkl", Mutations.mutate(entries.get("archive/data.pkl"), draw));
        Path file = folder.resolve("pickle.pth");
        TorchZipFiles.storedZip(file, entries);
        readsOrRefuses("pickle.pth", Files.readAllBytes(file));
    }

    @Test
    void aMutatedLegacyTorchFileReadsOrIsRefused() {
        Fuzz.run(25012L, random -> aMutatedLegacyTorchFileReadsOrIsRefused(Fuzz.pick(random, legacySeeds()), random.nextLong()));
    }

    /** Found by the long run (try 133328): a first pickle holding a float, read as the magic number, escaped. */
    @Test
    void aLegacyFileWhoseMagicNumberIsAFloatIsRefused() {
        Random random = Fuzz.tryRandom(25012L, 133_328);
        aMutatedLegacyTorchFileReadsOrIsRefused(Fuzz.pick(random, legacySeeds()), random.nextLong());
    }

    private void aMutatedLegacyTorchFileReadsOrIsRefused(byte[] seed, long draw) {
        readsOrRefuses("w.pth", Mutations.mutate(seed, draw));
    }

    @Test
    void aMutatedSafetensorsFileReadsOrIsRefused() {
        Fuzz.run(25013L, random -> aMutatedSafetensorsFileReadsOrIsRefused(Fuzz.pick(random, safetensorsSeeds()), random.nextLong()));
    }

    private void aMutatedSafetensorsFileReadsOrIsRefused(byte[] seed, long draw) {
        readsOrRefuses("w.safetensors", Mutations.mutate(seed, draw));
    }
}
