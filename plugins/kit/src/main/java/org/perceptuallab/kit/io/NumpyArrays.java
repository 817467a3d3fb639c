package org.perceptuallab.kit.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.tensor.Ops;

/** Reads NumPy {@code .npy} and {@code .npz} files (C order, little-endian) and writes {@code .npy}. */
public final class NumpyArrays {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([<>|=])([a-z])(\\d+)'");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");
    private static final int WRITE_CHUNK = 1 << 16;
    private static final int READ_CHUNK = 1 << 16;
    /** The longest header read: a v1 header's most, far above the few hundred bytes of any plain array's. */
    private static final int MAX_HEADER = 0xffff;
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");

    private NumpyArrays() {
    }

    /** Every array of an {@code .npz}, by name (without {@code .npy}), in file order; every entry CRC-checked. */
    public static Map<String, NDArray> readNpz(NDManager manager, Path file) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (CheckedZip zip = CheckedZip.open(file, "an .npz array file")) {
            for (ZipEntry e : zip.entries()) {
                if (e.isDirectory()) {
                    continue;
                }
                String name = e.getName().endsWith(".npy")
                        ? e.getName().substring(0, e.getName().length() - 4) : e.getName();
                out.put(name, zip.read(e, in -> parse(manager, in, e.getSize(), file + ":" + e.getName())));
            }
        } catch (RuntimeException e) {
            out.values().forEach(NDArray::close);
            throw e;
        }
        if (out.isEmpty()) {
            throw new PlabException(file + " holds no arrays; is it an .npz file?");
        }
        return out;
    }

    /** One {@code .npy} file. */
    public static NDArray readNpy(NDManager manager, Path file) {
        InputFiles.requireFile(file, "array (.npy)");
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), READ_CHUNK)) {
            return parse(manager, in, Files.size(file), file.toString());
        } catch (IOException ex) {
            throw InputFiles.cannotRead(file, ex);
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

    /**
     * One {@code .npy} from {@code in}: its header is checked (a length no writer makes, a shape that is not
     * whole numbers, a negative or overflowing one) and the element count held to the budget before the data
     * is allocated; that count's bytes are then read and nothing after them.
     *
     * @param available the bytes {@code in} holds, when known (else -1): an array longer than that is refused
     *                  as truncated before it is allocated
     */
    static NDArray parse(NDManager manager, InputStream in, long available, String where) throws IOException {
        byte[] lead = in.readNBytes(MAGIC.length + 2);
        if (lead.length < MAGIC.length + 2 || !Arrays.equals(lead, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new PlabException(where + " is not a NumPy .npy array (bad magic)");
        }
        int major = lead[MAGIC.length];
        if (major < 1 || major > 3) {
            throw new PlabException(where + ": .npy format version " + major + " is not one NumPy writes (1 to 3)");
        }
        byte[] lengthBytes = in.readNBytes(major == 1 ? 2 : 4);
        if (lengthBytes.length < (major == 1 ? 2 : 4)) {
            throw new PlabException(where + " is truncated inside its header");
        }
        ByteBuffer length = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = major == 1 ? Short.toUnsignedInt(length.getShort()) : Integer.toUnsignedLong(length.getInt());
        if (headerLength > MAX_HEADER) {
            throw new PlabException(where + ": its header claims " + headerLength + " bytes; .npy headers of the"
                    + " arrays read here are a few hundred (NumPy's own reader refuses more than 10000): the file is"
                    + " damaged or not an array");
        }
        byte[] headerBytes = in.readNBytes((int) headerLength);
        if (headerBytes.length < headerLength) {
            throw new PlabException(where + " is truncated inside its header");
        }
        String header = new String(headerBytes, StandardCharsets.ISO_8859_1);
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
        Shape shape = new Shape(dimensions(s.group(1), where));
        long count = ReadBudget.elements(where, shape.getShape());
        int itemSize = type.getNumOfBytes();
        if (count > Integer.MAX_VALUE / itemSize) {
            throw new PlabException(where + ": an array of shape " + shape + " is over the 2 GiB one array can hold"
                    + " here; save it in smaller parts");
        }
        int need = (int) count * itemSize;
        if (available >= 0 && need > available - lead.length - lengthBytes.length - headerLength) {
            throw new PlabException(where + " is truncated: its shape " + shape + " needs " + need + " data bytes, it"
                    + " has " + Math.max(0, available - lead.length - lengthBytes.length - headerLength));
        }
        if (type == DataType.INT16) {
            // The engine has no int16 arrays (creating one aborts the process): widen exactly to int32.
            ByteBuffer narrow = ByteBuffer.wrap(readData(in, need, shape, where)).order(ByteOrder.LITTLE_ENDIAN);
            int[] wide = new int[(int) count];
            for (int i = 0; i < wide.length; i++) {
                wide[i] = narrow.getShort();
            }
            return manager.create(wide, shape);
        }
        ByteBuffer data = ByteBuffer.allocateDirect(need).order(ByteOrder.nativeOrder());
        byte[] chunk = new byte[Math.min(need, READ_CHUNK)];
        while (data.hasRemaining()) {
            int n = in.readNBytes(chunk, 0, Math.min(chunk.length, data.remaining()));
            if (n == 0) {
                throw truncated(where, shape, need, data.position());
            }
            data.put(chunk, 0, n);
        }
        return Ops.owned(manager.create(data.rewind(), shape, type));
    }

    /** The dimensions of a header's shape tuple: whole numbers only ({@code 1e0} or {@code 2.0} are damage). */
    private static long[] dimensions(String tuple, String where) {
        String[] items = tuple.trim().isEmpty() ? new String[0] : tuple.split(",", -1);
        long[] out = new long[items.length];
        int n = 0;
        for (int i = 0; i < items.length; i++) {
            String item = items[i].trim();
            if (item.isEmpty() && i == items.length - 1 && i > 0) {
                continue; // the trailing comma of a one-element tuple, (3,)
            }
            if (!item.matches("-?\\d+")) {
                throw new PlabException(where + ": its shape (" + tuple + ") holds '" + item + "', not a whole number"
                        + " of elements; the file is damaged");
            }
            try {
                out[n++] = Long.parseLong(item);
            } catch (NumberFormatException e) {
                throw new PlabException(where + ": its shape (" + tuple + ") holds " + item + ", beyond any array"
                        + " size; the file is damaged", e);
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static byte[] readData(InputStream in, int need, Shape shape, String where) throws IOException {
        byte[] out = in.readNBytes(need);
        if (out.length < need) {
            throw truncated(where, shape, need, out.length);
        }
        return out;
    }

    private static PlabException truncated(String where, Shape shape, long need, long has) {
        return new PlabException(where + " is truncated: its shape " + shape + " needs " + need + " data bytes, it"
                + " has " + has);
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

    /** One {@code .npy} from a stream of unknown length (a resource, a zip entry). */
    public static NDArray parse(NDManager manager, InputStream in, String where) throws IOException {
        return parse(manager, in, -1, where);
    }
}
