package org.perceptuallab.kit.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.io.CheckedZip;
import org.perceptuallab.kit.io.InputFiles;
import org.perceptuallab.kit.io.NumpyArrays;

/**
 * The one entry point for network weights: a {@code torch.save} file (zip or legacy format, as torchvision
 * publishes them), a safetensors file or an {@code .npz}, told apart by content rather than by name, so a
 * user can point any loss at the file they downloaded without converting it. Tensors come back by name
 * (nested containers flattened with dots, {@code features.0.weight}) in file order. The engine has no
 * bfloat16 or int16 arrays, so those come back widened exactly, as float32 and int32.
 */
public final class WeightFiles {

    /** The formats {@link #read} understands. */
    public enum Format {
        /** torch.save of torch 1.6 and later: a zip holding {@code data.pkl}. */
        TORCH_ZIP,
        /** torch.save before 1.6: a pickle stream followed by raw storages. */
        TORCH_LEGACY,
        /** Hugging Face safetensors: a JSON header, then raw tensors. */
        SAFETENSORS,
        /** NumPy {@code .npz}: a zip of {@code .npy} arrays. */
        NPZ
    }

    /** Every tensor name of a file, and the arrays that were selected. */
    record Contents(List<String> names, Map<String, NDArray> arrays) {
    }

    private WeightFiles() {
    }

    /**
     * Reads the tensors whose names pass {@code keyFilter}; the others are never materialised (for a
     * torch.save file their storages are not even read).
     *
     * @return arrays by name, in file order, attached to {@code manager}
     * @throws PlabException when the file is missing, of no known format, or damaged
     */
    public static Map<String, NDArray> read(Path file, NDManager manager, Predicate<String> keyFilter) {
        return contents(file, manager, keyFilter).arrays();
    }

    /**
     * Reads exactly {@code keys}; a key the file lacks is a {@link PlabException} naming the key, the file
     * and the names it does hold.
     */
    public static Map<String, NDArray> readKeys(Path file, NDManager manager, Collection<String> keys) {
        Contents contents = contents(file, manager, keys::contains);
        for (String key : keys) {
            if (!contents.arrays().containsKey(key)) {
                contents.arrays().values().forEach(NDArray::close);
                throw new PlabException("weights file " + file + " has no tensor '" + key + "'; it holds "
                        + summary(contents.names()) + ". Is it the right file for this network?");
            }
        }
        Map<String, NDArray> ordered = new LinkedHashMap<>();
        keys.forEach(k -> ordered.put(k, contents.arrays().get(k)));
        return ordered;
    }

    /** The format of {@code file}, from its first bytes (and, for a zip, its entry names). */
    public static Format detect(Path file) {
        InputFiles.requireFile(file, "weights");
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(16);
        } catch (IOException e) {
            throw InputFiles.cannotRead(file, e);
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K') {
            try (CheckedZip zip = CheckedZip.open(file, "weights (zip)")) {
                boolean torch = zip.entries().stream().anyMatch(e -> e.getName().endsWith("data.pkl"));
                return torch ? Format.TORCH_ZIP : Format.NPZ;
            }
        }
        // PROTO 2, then LONG1 with the 10-byte magic number.
        if (head.length >= 4 && (head[0] & 0xff) == 0x80 && (head[2] & 0xff) == 0x8a && head[3] == 10) {
            return Format.TORCH_LEGACY;
        }
        if (head.length >= 9 && head[8] == '{') {
            long headerLength = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLength > 0 && headerLength + 8 <= size(file)) {
                return Format.SAFETENSORS;
            }
        }
        throw new PlabException(file + " is not a weights file this reader knows: expected a torch.save file "
                + "(.pth, zip or legacy), safetensors or .npz");
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static Contents contents(Path file, NDManager manager, Predicate<String> keep) {
        Contents contents = switch (detect(file)) {
            case TORCH_ZIP -> TorchFiles.readZip(file, manager, keep);
            case TORCH_LEGACY -> TorchFiles.readLegacy(file, manager, keep);
            case SAFETENSORS -> SafeTensors.read(file, manager, keep);
            case NPZ -> selected(NumpyArrays.readNpz(manager, file), keep);
        };
        requireFinite(file, contents.arrays());
        return contents;
    }

    /**
     * Fails on a weight tensor holding NaN or infinity: whatever format it came in (safetensors has no
     * checksum), such weights make every distance NaN, which must not pass as a result.
     */
    private static void requireFinite(Path file, Map<String, NDArray> arrays) {
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            NDArray a = e.getValue();
            if (!a.getDataType().isFloating()) {
                continue;
            }
            boolean finite;
            try (NDArray nan = a.isNaN(); NDArray infinite = a.isInfinite(); NDArray bad = nan.logicalOr(infinite);
                 NDArray any = bad.any()) {
                finite = !any.getBoolean();
            }
            if (!finite) {
                arrays.values().forEach(NDArray::close);
                throw new PlabException("weights file " + file + ": tensor '" + e.getKey() + "' holds NaN or"
                        + " infinite values; the file is damaged (or saved from a diverged training run): use"
                        + " another copy");
            }
        }
    }

    /** Keeps the arrays passing {@code keep} and closes the others. */
    private static Contents selected(Map<String, NDArray> all, Predicate<String> keep) {
        Map<String, NDArray> kept = new LinkedHashMap<>();
        all.forEach((name, a) -> {
            if (keep.test(name)) {
                kept.put(name, a);
            } else {
                a.close();
            }
        });
        return new Contents(new ArrayList<>(all.keySet()), kept);
    }

    private static String summary(List<String> names) {
        if (names.isEmpty()) {
            return "no tensors";
        }
        int shown = Math.min(names.size(), 12);
        return names.size() + " tensors (" + String.join(", ", names.subList(0, shown))
                + (names.size() > shown ? ", ..." : "") + ")";
    }
}
