package org.perceptuallab.kit.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.ZipEntry;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.io.CheckedZip;
import org.perceptuallab.kit.io.InputFiles;
import org.perceptuallab.kit.io.ReadBudget;
import org.perceptuallab.kit.weights.TorchUnpickler.StorageRef;
import org.perceptuallab.kit.weights.TorchUnpickler.TensorRef;

/**
 * Reads {@code torch.save} files without Python: the zip format of torch 1.6 and later, and the legacy
 * pickle-stream format (torchvision's published ImageNet weights). Only the storages behind the selected
 * tensors are read; offsets, strides and shared storages are honoured, so each tensor comes out as
 * {@code torch.load} would give it, made contiguous.
 */
final class TorchFiles {
    /** The number every legacy file starts with. */
    private static final BigInteger LEGACY_MAGIC = new BigInteger("119547037146038801333356");

    private TorchFiles() {
    }

    /**
     * A zip-format file ({@code <root>/data.pkl} plus {@code <root>/data/<key>} storages), read within the
     * budgets; every entry is CRC-checked, those of tensors not selected included.
     */
    static WeightFiles.Contents readZip(Path file, NDManager manager, Predicate<String> keep) {
        try (CheckedZip zip = CheckedZip.open(file, "weights (torch.save)")) {
            ZipEntry pickle = zip.entries().stream().filter(e -> e.getName().endsWith("data.pkl")
                            && e.getName().indexOf('/') == e.getName().lastIndexOf('/'))
                    .findFirst().orElseThrow(() -> new PlabException(file + " is a zip file without data.pkl; "
                            + "is it a torch.save file?"));
            String prefix = pickle.getName().substring(0, pickle.getName().length() - "data.pkl".length());
            ZipEntry byteOrder = zip.entry(prefix + "byteorder");
            if (byteOrder != null && !new String(zip.readAllBytes(byteOrder),
                    StandardCharsets.US_ASCII).trim().equals("little")) {
                throw new PlabException(file + " was saved on a big-endian machine; re-save it on a little-endian one");
            }
            byte[] pickled = zip.readAllBytes(pickle);
            TorchUnpickler unpickler = new TorchUnpickler(file.toString(), pickled.length);
            Object root = unpickler.read(new ByteArrayInputStream(pickled));
            Map<String, TensorRef> all = TorchUnpickler.tensors(file, root);
            Map<String, byte[]> data = new HashMap<>();
            for (TensorRef t : selected(all, keep).values()) {
                String key = t.storage().rootKey();
                if (!data.containsKey(key)) {
                    ZipEntry entry = zip.entry(prefix + "data/" + key);
                    if (entry == null) {
                        throw new PlabException(file + " lacks the storage entry " + prefix + "data/" + key);
                    }
                    data.put(key, zip.readAllBytes(entry));
                }
            }
            zip.checkRest();
            return materialise(file, manager, all, keep, data);
        }
    }

    /**
     * A legacy file: five pickles (magic number, protocol 1001, system info, the object, the storage keys),
     * then for each key in that list an int64 element count and the raw little-endian elements.
     */
    static WeightFiles.Contents readLegacy(Path file, NDManager manager, Predicate<String> keep) {
        InputFiles.requireFile(file, "weights (torch.save)");
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            long size = Files.size(file);
            TorchUnpickler unpickler = new TorchUnpickler(file.toString(), size);
            Object magic = unpickler.read(in);
            if (!isLegacyMagic(magic)) {
                throw new PlabException(file + " is not a torch.save file (wrong magic number)");
            }
            unpickler.read(in);
            Object sysInfo = unpickler.read(in);
            if (sysInfo instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))) {
                throw new PlabException(file + " was saved on a big-endian machine; re-save it on a little-endian one");
            }
            Map<String, TensorRef> all = TorchUnpickler.tensors(file, unpickler.read(in));
            if (!(unpickler.read(in) instanceof List<?> keys)) {
                throw new PlabException(file + " is damaged: its list of storage keys is missing");
            }
            java.util.Set<String> needed = new java.util.HashSet<>();
            selected(all, keep).values().forEach(t -> needed.add(t.storage().rootKey()));
            Map<String, byte[]> data = new HashMap<>();
            for (Object k : keys) {
                String key = String.valueOf(k);
                StorageRef storage = unpickler.storages().get(key);
                if (storage == null) {
                    throw new PlabException(file + " lists storage " + key + " that no tensor uses; the file is damaged");
                }
                byte[] countBytes = in.readNBytes(Long.BYTES);
                if (countBytes.length < Long.BYTES) {
                    throw new PlabException(file + " is truncated before storage " + key);
                }
                long count = ByteBuffer.wrap(countBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
                if (count < 0 || count > size / storage.dataType().getNumOfBytes()) {
                    throw new PlabException(file + " is damaged: storage " + key + " claims " + count + " elements,"
                            + " more than the file's " + size + " bytes hold");
                }
                long bytes = count * storage.dataType().getNumOfBytes();
                if (needed.contains(key)) {
                    data.put(key, readExactly(in, bytes, file, key));
                } else {
                    in.skipNBytes(bytes);
                }
            }
            return materialise(file, manager, all, keep, data);
        } catch (IOException e) {
            throw InputFiles.cannotRead(file, e);
        }
    }

    /** Whether the first pickle holds the legacy magic number: an integer (a float such as 1e-5 is not one). */
    private static boolean isLegacyMagic(Object magic) {
        BigInteger value = magic instanceof BigInteger b ? b
                : magic instanceof Long || magic instanceof Integer || magic instanceof Short || magic instanceof Byte
                ? BigInteger.valueOf(((Number) magic).longValue()) : null;
        return LEGACY_MAGIC.equals(value);
    }

    private static byte[] readExactly(InputStream in, long bytes, Path file, String key) throws IOException {
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new PlabException(file + ": storage " + key + " holds " + bytes + " bytes, over the 2 GiB a "
                    + "reader array can hold; save the weights in smaller tensors or as safetensors");
        }
        byte[] out = in.readNBytes((int) bytes);
        if (out.length != bytes) {
            throw new PlabException(file + " is truncated inside storage " + key);
        }
        return out;
    }

    private static Map<String, TensorRef> selected(Map<String, TensorRef> all, Predicate<String> keep) {
        Map<String, TensorRef> out = new LinkedHashMap<>();
        all.forEach((name, t) -> {
            if (keep.test(name)) {
                out.put(name, t);
            }
        });
        return out;
    }

    private static WeightFiles.Contents materialise(Path file, NDManager manager, Map<String, TensorRef> all,
                                                    Predicate<String> keep, Map<String, byte[]> data) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        selected(all, keep).forEach((name, t) -> {
            byte[] storage = data.get(t.storage().rootKey());
            if (storage == null) {
                throw new PlabException(file + " is damaged: it holds no storage " + t.storage().rootKey()
                        + " for tensor '" + name + "'");
            }
            out.put(name, tensor(file, name, t, storage, manager));
        });
        return new WeightFiles.Contents(List.copyOf(all.keySet()), out);
    }

    /**
     * Gathers the tensor's elements from its storage in row-major order (an odometer over the shape), after
     * checking its header against the storage: strides as many as dimensions and none negative (torch makes
     * none), every element inside the storage, and no more elements than the storage holds: a view that
     * repeats its storage (stride 0) would inflate a few bytes on disk into gigabytes of memory.
     */
    private static NDArray tensor(Path file, String name, TensorRef t, byte[] storage, NDManager manager) {
        int size = t.storage().dataType().getNumOfBytes();
        long[] shape = t.shape();
        long[] stride = t.stride();
        String what = "tensor '" + name + "' (shape " + Arrays.toString(shape) + ", strides "
                + Arrays.toString(stride) + ", offset " + t.offset() + ")";
        long count = ReadBudget.elements(file + ": " + what, shape);
        if (stride.length != shape.length || Arrays.stream(stride).anyMatch(s -> s < 0) || t.offset() < 0
                || t.storage().viewOffset() < 0) {
            throw new PlabException(file + ": " + what + " has strides or an offset torch never writes; the file"
                    + " is damaged");
        }
        long held = storage.length / size;
        if (count > held) {
            throw new PlabException(file + ": " + what + " has " + count + " elements over a storage of " + held
                    + "; a view repeating its storage is refused (it would take more memory than the file); save"
                    + " the tensor with .contiguous() or .clone()");
        }
        byte[] out = new byte[(int) count * size];
        if (count > 0) {
            long last;
            try {
                last = Math.addExact(t.storage().viewOffset(), t.offset());
                for (int i = 0; i < shape.length; i++) {
                    last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, stride[i]));
                }
            } catch (ArithmeticException e) {
                last = Long.MAX_VALUE;
            }
            if (last >= held) {
                throw new PlabException(file + ": " + what + " reaches past its storage of " + held
                        + " elements; the file is damaged");
            }
            gather(storage, t.storage().viewOffset() + t.offset(), shape, stride, size, out);
        }
        DataType type = t.storage().dataType();
        if (type == DataType.BFLOAT16 || type == DataType.INT16) {
            out = widen(out, type);
            type = type == DataType.BFLOAT16 ? DataType.FLOAT32 : DataType.INT32;
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect(out.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(out).flip();
        NDArray array = manager.create(buffer, new Shape(shape), type);
        array.setName(name);
        return array;
    }

    /**
     * The engine has no bfloat16 or int16 arrays (creating one aborts the process), so those widen
     * exactly: bfloat16 to the float32 with the same upper 16 bits, int16 to int32.
     */
    static byte[] widen(byte[] narrow, DataType type) {
        ByteBuffer in = ByteBuffer.wrap(narrow).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer wide = ByteBuffer.allocate(narrow.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        while (in.hasRemaining()) {
            short v = in.getShort();
            wide.putInt(type == DataType.BFLOAT16 ? (v & 0xffff) << 16 : v);
        }
        return wide.array();
    }

    private static void gather(byte[] storage, long offset, long[] shape, long[] stride, int size, byte[] out) {
        int rank = shape.length;
        if (isContiguous(shape, stride)) {
            System.arraycopy(storage, Math.toIntExact(offset * size), out, 0, out.length);
            return;
        }
        // Copy runs along the last axis; walk the other axes like an odometer.
        long inner = rank == 0 ? 1 : shape[rank - 1];
        long innerStride = rank == 0 ? 0 : stride[rank - 1];
        long[] index = new long[Math.max(rank - 1, 0)];
        long source = offset;
        int target = 0;
        while (true) {
            if (innerStride == 1) {
                System.arraycopy(storage, (int) (source * size), out, target, (int) (inner * size));
                target += (int) (inner * size);
            } else {
                for (long j = 0; j < inner; j++) {
                    System.arraycopy(storage, (int) ((source + j * innerStride) * size), out, target, size);
                    target += size;
                }
            }
            int axis = rank - 2;
            while (axis >= 0 && ++index[axis] == shape[axis]) {
                source -= (shape[axis] - 1) * stride[axis];
                index[axis] = 0;
                axis--;
            }
            if (axis < 0) {
                return;
            }
            source += stride[axis];
        }
    }

    private static boolean isContiguous(long[] shape, long[] stride) {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }
}
