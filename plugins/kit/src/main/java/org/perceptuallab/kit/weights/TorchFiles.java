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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.perceptuallab.api.PlabException;
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

    /** A zip-format file ({@code <root>/data.pkl} plus {@code <root>/data/<key>} storages). */
    static WeightFiles.Contents readZip(Path file, NDManager manager, Predicate<String> keep) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry pickle = zip.stream().filter(e -> e.getName().endsWith("data.pkl")
                            && e.getName().indexOf('/') == e.getName().lastIndexOf('/'))
                    .findFirst().orElseThrow(() -> new PlabException(file + " is a zip file without data.pkl; "
                            + "is it a torch.save file?"));
            String prefix = pickle.getName().substring(0, pickle.getName().length() - "data.pkl".length());
            ZipEntry byteOrder = zip.getEntry(prefix + "byteorder");
            if (byteOrder != null && !new String(readChecked(zip, byteOrder, file),
                    StandardCharsets.US_ASCII).trim().equals("little")) {
                throw new PlabException(file + " was saved on a big-endian machine; re-save it on a little-endian one");
            }
            TorchUnpickler unpickler = new TorchUnpickler(file.toString());
            Object root;
            try (InputStream in = new ByteArrayInputStream(readChecked(zip, pickle, file))) {
                root = unpickler.read(in);
            }
            Map<String, TensorRef> all = TorchUnpickler.tensors(root);
            Map<String, byte[]> data = new HashMap<>();
            for (TensorRef t : selected(all, keep).values()) {
                String key = t.storage().rootKey();
                if (!data.containsKey(key)) {
                    ZipEntry entry = zip.getEntry(prefix + "data/" + key);
                    if (entry == null) {
                        throw new PlabException(file + " lacks the storage entry " + prefix + "data/" + key);
                    }
                    data.put(key, readChecked(zip, entry, file));
                }
            }
            return materialise(file, manager, all, keep, data);
        } catch (IOException e) {
            throw new PlabException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The bytes of a zip entry, checked against the CRC the zip records: ZipFile checks none, and torch
     * stores its entries uncompressed, so damaged bytes would otherwise load as wrong weights.
     */
    private static byte[] readChecked(ZipFile zip, ZipEntry entry, Path file) throws IOException {
        byte[] bytes;
        try (InputStream in = zip.getInputStream(entry)) {
            bytes = in.readAllBytes();
        }
        CRC32 crc = new CRC32();
        crc.update(bytes);
        if (entry.getCrc() != -1 && crc.getValue() != entry.getCrc()) {
            throw new PlabException(file + " is damaged: its entry " + entry.getName() + " fails the zip's CRC"
                    + " check (recorded " + Long.toHexString(entry.getCrc()) + ", read " + Long.toHexString(crc.getValue())
                    + "); download or copy the file again");
        }
        return bytes;
    }

    /**
     * A legacy file: five pickles (magic number, protocol 1001, system info, the object, the storage keys),
     * then for each key in that list an int64 element count and the raw little-endian elements.
     */
    static WeightFiles.Contents readLegacy(Path file, NDManager manager, Predicate<String> keep) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            TorchUnpickler unpickler = new TorchUnpickler(file.toString());
            Object magic = unpickler.read(in);
            if (!(magic instanceof Number n) || !new BigInteger(n.toString()).equals(LEGACY_MAGIC)) {
                throw new PlabException(file + " is not a torch.save file (wrong magic number)");
            }
            unpickler.read(in);
            Object sysInfo = unpickler.read(in);
            if (sysInfo instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))) {
                throw new PlabException(file + " was saved on a big-endian machine; re-save it on a little-endian one");
            }
            Map<String, TensorRef> all = TorchUnpickler.tensors(unpickler.read(in));
            Object keys = unpickler.read(in);
            java.util.Set<String> needed = new java.util.HashSet<>();
            selected(all, keep).values().forEach(t -> needed.add(t.storage().rootKey()));
            Map<String, byte[]> data = new HashMap<>();
            for (Object k : (List<?>) keys) {
                String key = String.valueOf(k);
                StorageRef storage = unpickler.storages().get(key);
                if (storage == null) {
                    throw new PlabException(file + " lists storage " + key + " that no tensor uses; the file is damaged");
                }
                long count = ByteBuffer.wrap(in.readNBytes(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
                long bytes = count * storage.dataType().getNumOfBytes();
                if (needed.contains(key)) {
                    data.put(key, readExactly(in, bytes, file, key));
                } else {
                    in.skipNBytes(bytes);
                }
            }
            return materialise(file, manager, all, keep, data);
        } catch (IOException e) {
            throw new PlabException("cannot read " + file + " (truncated legacy torch.save file?): "
                    + e.getMessage(), e);
        }
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
        selected(all, keep).forEach((name, t) -> out.put(name, tensor(file, name, t,
                data.get(t.storage().rootKey()), manager)));
        return new WeightFiles.Contents(List.copyOf(all.keySet()), out);
    }

    /** Gathers the tensor's elements from its storage in row-major order (an odometer over the shape). */
    private static NDArray tensor(Path file, String name, TensorRef t, byte[] storage, NDManager manager) {
        int size = t.storage().dataType().getNumOfBytes();
        long[] shape = t.shape();
        long[] stride = t.stride();
        long count = 1;
        long last = t.storage().viewOffset() + t.offset();
        for (int i = 0; i < shape.length; i++) {
            count *= shape[i];
            last += (shape[i] - 1) * stride[i];
        }
        byte[] out = new byte[Math.toIntExact(count * size)];
        if (count > 0) {
            if ((last + 1) * size > storage.length || stride.length != shape.length) {
                throw new PlabException(file + ": tensor '" + name + "' reaches past its storage (shape "
                        + java.util.Arrays.toString(shape) + ", strides " + java.util.Arrays.toString(stride)
                        + ", " + storage.length / size + " elements); the file is damaged");
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
    private static byte[] widen(byte[] narrow, DataType type) {
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
