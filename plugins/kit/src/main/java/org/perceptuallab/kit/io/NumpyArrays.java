package org.perceptuallab.kit.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.tensor.Ops;

/** Reads NumPy {@code .npy} and {@code .npz} files (C order, little-endian) and writes {@code .npy}. */
public final class NumpyArrays {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([<>|=])([a-z])(\\d+)'");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");
    private static final int WRITE_CHUNK = 1 << 16;
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");

    private NumpyArrays() {
    }

    /** Every array of an {@code .npz}, by name (without {@code .npy}), in file order. */
    public static Map<String, NDArray> readNpz(NDManager manager, Path file) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                String name = e.getName().endsWith(".npy")
                        ? e.getName().substring(0, e.getName().length() - 4) : e.getName();
                out.put(name, parse(manager, zip.readAllBytes(), file + ":" + e.getName()));
            }
        } catch (IOException ex) {
            throw new PlabException("cannot read " + file + " as .npz: " + ex.getMessage(), ex);
        }
        if (out.isEmpty()) {
            throw new PlabException(file + " holds no arrays; is it an .npz file?");
        }
        return out;
    }

    /** One {@code .npy} file. */
    public static NDArray readNpy(NDManager manager, Path file) {
        try {
            return parse(manager, Files.readAllBytes(file), file.toString());
        } catch (IOException ex) {
            throw new PlabException("cannot read " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** Reads {@code file.npy}, or {@code file.npz} (its only array, or the one named by {@code key}). */
    public static NDArray read(NDManager manager, Path file, String key) {
        InputFiles.requireFile(file, "array (.npy or .npz)");
        String name = file.getFileName().toString();
        if (name.endsWith(".npy")) {
            return readNpy(manager, file);
        }
        Map<String, NDArray> all = readNpz(manager, file);
        if (key == null) {
            if (all.size() != 1) {
                throw new PlabException(file + " holds several arrays " + all.keySet() + "; name one as "
                        + name + ":KEY");
            }
            return all.values().iterator().next();
        }
        NDArray a = all.get(key);
        if (a == null) {
            throw new PlabException(file + " has no array '" + key + "'; it has " + all.keySet());
        }
        return a;
    }

    static NDArray parse(NDManager manager, byte[] bytes, String where) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes.length < 10 || bytes[i] != MAGIC[i]) {
                throw new PlabException(where + " is not a NumPy .npy array (bad magic)");
            }
        }
        int major = bytes[6];
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen = major == 1 ? Short.toUnsignedInt(buf.getShort(8)) : buf.getInt(8);
        int dataStart = (major == 1 ? 10 : 12) + headerLen;
        String header = new String(bytes, major == 1 ? 10 : 12, headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher s = SHAPE.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        if (!d.find() || !s.find()) {
            throw new PlabException(where + ": unreadable .npy header " + header.trim());
        }
        if (f.find() && f.group(1).equals("True")) {
            throw new PlabException(where + ": Fortran-order arrays are not supported; save with np.ascontiguousarray");
        }
        if (d.group(1).equals(">")) {
            throw new PlabException(where + ": big-endian arrays are not supported");
        }
        DataType type = switch (d.group(2) + d.group(3)) {
            case "f4" -> DataType.FLOAT32;
            case "f8" -> DataType.FLOAT64;
            case "f2" -> DataType.FLOAT16;
            case "i8" -> DataType.INT64;
            case "i4" -> DataType.INT32;
            case "i2" -> DataType.INT16;
            case "i1" -> DataType.INT8;
            case "u1" -> DataType.UINT8;
            case "b1" -> DataType.BOOLEAN;
            default -> throw new PlabException(where + ": unsupported dtype " + d.group(0));
        };
        String dims = s.group(1).trim();
        long[] shape = dims.isEmpty() ? new long[0]
                : java.util.Arrays.stream(dims.split(",")).map(String::trim).filter(t -> !t.isEmpty())
                        .mapToLong(Long::parseLong).toArray();
        Shape sh = new Shape(shape);
        long need = sh.size() * type.getNumOfBytes();
        if (bytes.length - dataStart < need) {
            throw new PlabException(where + " is truncated: needs " + need + " data bytes, has "
                    + (bytes.length - dataStart));
        }
        if (type == DataType.INT16) {
            // The engine has no int16 arrays (creating one aborts the process): widen exactly to int32.
            ByteBuffer in = ByteBuffer.wrap(bytes, dataStart, (int) need).order(ByteOrder.LITTLE_ENDIAN);
            int[] wide = new int[(int) sh.size()];
            for (int i = 0; i < wide.length; i++) {
                wide[i] = in.getShort();
            }
            return manager.create(wide, sh);
        }
        ByteBuffer data = ByteBuffer.allocateDirect((int) need).order(ByteOrder.nativeOrder());
        data.put(bytes, dataStart, (int) need).rewind();
        return Ops.owned(manager.create(data, sh, type));
    }

    /** Writes a float32 or float64 array as {@code .npy}. */
    public static void writeNpy(NDArray a, OutputStream out) throws IOException {
        String descr = switch (a.getDataType()) {
            case FLOAT32 -> "<f4";
            case FLOAT64 -> "<f8";
            case INT64 -> "<i8";
            case INT32 -> "<i4";
            default -> throw new PlabException("cannot write " + a.getDataType() + " as .npy");
        };
        StringBuilder shape = new StringBuilder();
        for (long d : a.getShape().getShape()) {
            shape.append(d).append(", ");
        }
        String dims = a.getShape().dimension() == 1 ? shape.toString().trim()
                : shape.length() > 0 ? shape.substring(0, shape.length() - 2) : "";
        String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
        int total = 10 + header.length() + 1;
        int padding = (64 - total % 64) % 64;
        header = header + " ".repeat(padding) + "\n";
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.write(MAGIC);
        head.write(1);
        head.write(0);
        head.write(header.length() & 0xff);
        head.write((header.length() >> 8) & 0xff);
        head.write(header.getBytes(StandardCharsets.ISO_8859_1));
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new PlabException("writing .npy needs a little-endian machine");
        }
        out.write(head.toByteArray());
        // A view of the array's own memory where the engine allows (no native copy left for the collector to
        // free), written in chunks: one heap copy of a large array (a checkpoint's weights) would grow the heap.
        ByteBuffer data = a.toByteBuffer(true);
        byte[] chunk = new byte[Math.min(data.remaining(), WRITE_CHUNK)];
        while (data.hasRemaining()) {
            int n = Math.min(chunk.length, data.remaining());
            data.get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }

    /** Reads an input stream fully (helper for resources). */
    public static NDArray parse(NDManager manager, InputStream in, String where) throws IOException {
        return parse(manager, in.readAllBytes(), where);
    }
}
