package org.perceptuallab.kit.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.io.InputFiles;
import org.perceptuallab.kit.io.ReadBudget;

/**
 * Hugging Face safetensors: an 8-byte little-endian header length, a JSON header naming each tensor's dtype,
 * shape and byte range, then the raw tensors. Every header entry is checked against the file (shape within
 * the budget, range inside the data and exactly the shape's bytes) before anything is allocated, and only
 * the selected tensors are read.
 */
final class SafeTensors {
    /** The longest header read: real ones hold a few hundred bytes per tensor, a few hundred KB at most. */
    private static final long MAX_HEADER = 16L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, DataType> DTYPES = Map.of("F64", DataType.FLOAT64, "F32", DataType.FLOAT32,
            "F16", DataType.FLOAT16, "BF16", DataType.BFLOAT16, "I64", DataType.INT64, "I32", DataType.INT32,
            "I16", DataType.INT16, "I8", DataType.INT8, "U8", DataType.UINT8, "BOOL", DataType.BOOLEAN);

    private SafeTensors() {
    }

    private record Entry(String name, DataType type, long[] shape, long begin, long end) {
    }

    static WeightFiles.Contents read(Path file, NDManager manager, Predicate<String> keep) {
        InputFiles.requireFile(file, "weights (safetensors)");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer lead = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lead, 0, file);
            long headerLength = lead.flip().getLong();
            if (headerLength < 2 || headerLength > Math.min(MAX_HEADER, size - Long.BYTES)) {
                throw new PlabException(file + " is damaged: its safetensors header claims " + headerLength
                        + " bytes (the file has " + size + ", headers are at most " + MAX_HEADER + ")");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, Long.BYTES, file);
            List<Entry> entries = entries(file, JSON.readTree(header.array()), size - Long.BYTES - headerLength);
            long dataStart = Long.BYTES + headerLength;
            Map<String, NDArray> kept = new LinkedHashMap<>();
            try {
                for (Entry e : entries) {
                    if (keep.test(e.name())) {
                        kept.put(e.name(), tensor(file, channel, dataStart, e, manager));
                    }
                }
            } catch (RuntimeException e) {
                kept.values().forEach(NDArray::close);
                throw e;
            }
            return new WeightFiles.Contents(entries.stream().map(Entry::name).toList(), kept);
        } catch (IOException e) {
            throw new PlabException("cannot read " + file + " as safetensors: " + e.getMessage(), e);
        }
    }

    /** The header's tensors in the order of their bytes in the file, each checked against the data's size. */
    private static List<Entry> entries(Path file, JsonNode header, long dataSize) {
        if (!header.isObject()) {
            throw new PlabException(file + " is damaged: its safetensors header is not a JSON object");
        }
        List<Entry> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals("__metadata__")) {
                continue;
            }
            String where = file + ": tensor '" + field.getKey() + "'";
            JsonNode t = field.getValue();
            DataType type = DTYPES.get(t.path("dtype").asText());
            JsonNode shape = t.path("shape");
            JsonNode range = t.path("data_offsets");
            if (type == null || !shape.isArray() || !range.isArray() || range.size() != 2
                    || !range.get(0).canConvertToLong() || !range.get(1).canConvertToLong()) {
                throw new PlabException(where + " has no readable dtype, shape and data_offsets (" + t + ")");
            }
            long[] dims = new long[shape.size()];
            for (int i = 0; i < dims.length; i++) {
                if (!shape.get(i).isIntegralNumber() || !shape.get(i).canConvertToLong()) {
                    throw new PlabException(where + " has a shape " + shape + " that is not whole numbers");
                }
                dims[i] = shape.get(i).asLong();
            }
            long count = ReadBudget.elements(where, dims);
            long begin = range.get(0).asLong();
            long end = range.get(1).asLong();
            int item = type.getNumOfBytes();
            if (begin < 0 || end < begin || end > dataSize || count > Long.MAX_VALUE / item
                    || end - begin != count * item) {
                throw new PlabException(where + " is damaged: bytes " + begin + ".." + end + " of " + dataSize
                        + " do not hold its shape " + shape + " of " + type);
            }
            out.add(new Entry(field.getKey(), type, dims, begin, end));
        }
        out.sort(Comparator.comparingLong(Entry::begin));
        return out;
    }

    private static NDArray tensor(Path file, FileChannel channel, long dataStart, Entry e, NDManager manager)
            throws IOException {
        long bytes = e.end() - e.begin();
        if (bytes > Integer.MAX_VALUE) {
            throw new PlabException(file + ": tensor '" + e.name() + "' is over the 2 GiB one array can hold here");
        }
        ByteBuffer data = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, data, dataStart + e.begin(), file);
        data.flip();
        NDArray array;
        if (e.type() == DataType.BFLOAT16 || e.type() == DataType.INT16) {
            byte[] narrow = new byte[(int) bytes];
            data.get(narrow);
            byte[] wide = TorchFiles.widen(narrow, e.type());
            array = manager.create(ByteBuffer.allocateDirect(wide.length).order(ByteOrder.LITTLE_ENDIAN).put(wide)
                    .flip(), new Shape(e.shape()), e.type() == DataType.BFLOAT16 ? DataType.FLOAT32 : DataType.INT32);
        } else {
            array = manager.create(data, new Shape(e.shape()), e.type());
        }
        array.setName(e.name());
        return array;
    }

    private static void readFully(FileChannel channel, ByteBuffer into, long position, Path file) throws IOException {
        while (into.hasRemaining()) {
            int n = channel.read(into, position + into.position());
            if (n < 0) {
                throw new PlabException(file + " is truncated");
            }
        }
    }
}
