package org.perceptuallab.testkit;

import ai.djl.ndarray.NDArray;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes {@code torch.save} zip files as torch does, for tests that need weight files without Python:
 * {@code archive/data.pkl} (pickle protocol 2) holding a dict of float32 tensors, and each tensor's storage,
 * stored uncompressed, in {@code archive/data/<i>}.
 */
public final class TorchZipFiles {
    private TorchZipFiles() {
    }

    /** Writes the float32 tensors by name, in order. */
    public static void write(Path file, Map<String, NDArray> tensors) throws IOException {
        Map<String, View> views = new LinkedHashMap<>();
        tensors.forEach((name, t) -> {
            long[] shape = t.getShape().getShape();
            long[] strides = new long[shape.length];
            long stride = 1;
            for (int i = shape.length - 1; i >= 0; i--) {
                strides[i] = stride;
                stride *= shape[i];
            }
            views.put(name, new View(shape, strides, 0, t.toFloatArray()));
        });
        writeViews(file, views);
    }

    /**
     * A float32 tensor as torch.save holds it: a storage and a view over it, which a test may make any
     * shape, strides and offset, damaged ones included.
     */
    public record View(long[] shape, long[] strides, long offset, float[] storage) {
    }

    /** Writes the views by name, in order, each over a storage of its own. */
    public static void writeViews(Path file, Map<String, View> views) throws IOException {
        ByteArrayOutputStream pickle = new ByteArrayOutputStream();
        pickle.write(new byte[] {(byte) 0x80, 2, '}', '('});
        Map<String, byte[]> entries = new LinkedHashMap<>();
        int key = 0;
        for (Map.Entry<String, View> t : views.entrySet()) {
            View v = t.getValue();
            unicode(pickle, t.getKey());
            ascii(pickle, "ctorch._utils\n_rebuild_tensor_v2\n((");
            unicode(pickle, "storage");
            ascii(pickle, "ctorch\nFloatStorage\n");
            unicode(pickle, Integer.toString(key));
            unicode(pickle, "cpu");
            integer(pickle, v.storage().length);
            pickle.write(new byte[] {'t', 'Q'});
            integer(pickle, v.offset());
            pickle.write('(');
            for (long d : v.shape()) {
                integer(pickle, d);
            }
            pickle.write(new byte[] {'t', '('});
            for (long s : v.strides()) {
                integer(pickle, s);
            }
            pickle.write(new byte[] {'t', (byte) 0x89});
            ascii(pickle, "ccollections\nOrderedDict\n)Rt");
            pickle.write('R');
            ByteBuffer data = ByteBuffer.allocate(v.storage().length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : v.storage()) {
                data.putFloat(f);
            }
            entries.put("archive/data/" + key, data.array());
            key++;
        }
        pickle.write(new byte[] {'u', '.'});
        Map<String, byte[]> all = new LinkedHashMap<>();
        all.put("archive/data.pkl", pickle.toByteArray());
        all.putAll(entries);
        storedZip(file, all);
    }

    /** A zip of uncompressed entries, each with its size and CRC in the local header. */
    public static void storedZip(Path file, Map<String, byte[]> entries) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(e.getValue());
            }
        }
    }

    /** Flips one bit in the middle of the data of the file's last entry (a storage, for a weights file). */
    public static void damage(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int local = lastIndexOf(bytes, new byte[] {'P', 'K', 3, 4});
        int dataStart = local + 30 + le.getShort(local + 26) + le.getShort(local + 28);
        // Stored entries of known size have no data descriptor: the central directory follows the data.
        int dataEnd = dataStart;
        while (!Arrays.equals(bytes, dataEnd, dataEnd + 4, new byte[] {'P', 'K', 1, 2}, 0, 4)) {
            dataEnd++;
        }
        bytes[(dataStart + dataEnd) / 2] ^= 0x10;
        Files.write(file, bytes);
    }

    private static int lastIndexOf(byte[] bytes, byte[] magic) {
        for (int i = bytes.length - magic.length; i >= 0; i--) {
            if (Arrays.equals(bytes, i, i + magic.length, magic, 0, magic.length)) {
                return i;
            }
        }
        throw new IllegalArgumentException("not a zip file");
    }

    /** BININT where the value fits 32 bits, else LONG1 with 8 bytes. */
    private static void integer(ByteArrayOutputStream out, long value) {
        if (value == (int) value) {
            out.write('J');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) value).array());
        } else {
            out.write(new byte[] {(byte) 0x8a, 8}, 0, 2);
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array());
        }
    }

    private static void unicode(ByteArrayOutputStream out, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        out.writeBytes(b);
    }

    private static void ascii(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
    }
}
