package org.perceptuallab.kit.weights;

import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;
import org.perceptuallab.api.PlabException;

/**
 * The pickle stream of a {@code torch.save} file, turned into plain Java values: dicts as
 * {@link LinkedHashMap} in file order, lists and tuples, and {@link TensorRef}s pointing into storages
 * that are not read yet. Every global is resolved here rather than through Pyrolite's JVM-wide constructor
 * registry, so unknown globals (checkpoint extras such as numpy scalars or {@code torch.device}) become
 * {@link Placeholder}s instead of failing, and several readers can run at once.
 */
final class TorchUnpickler extends Unpickler {
    /** torch storage class names and the element type they hold. */
    private static final Map<String, DataType> STORAGE_TYPES = Map.ofEntries(
            Map.entry("FloatStorage", DataType.FLOAT32), Map.entry("DoubleStorage", DataType.FLOAT64),
            Map.entry("HalfStorage", DataType.FLOAT16), Map.entry("BFloat16Storage", DataType.BFLOAT16),
            Map.entry("LongStorage", DataType.INT64), Map.entry("IntStorage", DataType.INT32),
            Map.entry("ShortStorage", DataType.INT16), Map.entry("CharStorage", DataType.INT8),
            Map.entry("ByteStorage", DataType.UINT8), Map.entry("BoolStorage", DataType.BOOLEAN),
            Map.entry("UntypedStorage", DataType.UINT8));

    /** How deep containers may nest: a state dict nests two or three levels, a checkpoint a few more. */
    private static final int MAX_DEPTH = 100;

    private final String file;
    private final long maxBytes;
    private final Map<String, StorageRef> storages = new LinkedHashMap<>();

    /** @param maxBytes the most bytes the pickle's stream holds: no value it declares may be longer */
    TorchUnpickler(String file, long maxBytes) {
        this.file = file;
        this.maxBytes = maxBytes;
    }

    /**
     * A storage as the pickle names it: the key of the root storage in the file, its element type and
     * size, and where this (possibly view) storage starts inside the root, in elements.
     */
    record StorageRef(String rootKey, DataType dataType, long rootElements, long viewOffset) {
    }

    /** A tensor not yet read: offset and strides in elements of its storage. */
    record TensorRef(StorageRef storage, long offset, long[] shape, long[] stride) {
    }

    /** A value of a class this reader does not know (a checkpoint extra), kept only by name. */
    record Placeholder(String global, Object[] args) implements IObjectConstructor {
        @Override
        public Object construct(Object[] constructorArgs) {
            return new Placeholder(global, constructorArgs);
        }
    }

    /** Root storages by key, in first-use order. */
    Map<String, StorageRef> storages() {
        return storages;
    }

    /** Reads one pickle from {@code in} (which supports mark and reset), stopping at its STOP opcode. */
    Object read(InputStream in) {
        if (!in.markSupported()) {
            throw new IllegalArgumentException("the pickle reader peeks at lengths; give it a buffered stream");
        }
        try {
            return load(in);
        } catch (IOException | RuntimeException e) {
            throw new PlabException("cannot read " + file + " as a torch.save file: " + e.getMessage(), e);
        }
    }

    @Override
    protected Object dispatch(short key) throws IOException {
        requirePlausibleLength(key);
        if (key == Opcodes.GLOBAL) {
            String module = PickleUtils.readline(input);
            String name = PickleUtils.readline(input);
            stack.add(resolve(module, name));
            return NO_RETURN_VALUE;
        }
        if (key == Opcodes.STACK_GLOBAL) {
            String name = (String) stack.pop();
            String module = (String) stack.pop();
            stack.add(resolve(module, name));
            return NO_RETURN_VALUE;
        }
        if (key == Opcodes.EMPTY_DICT) {
            stack.add(new LinkedHashMap<>());
            return NO_RETURN_VALUE;
        }
        if (key == Opcodes.SETITEM) {
            Object value = stack.pop();
            Object name = stack.pop();
            dict(stack.peek()).put(name, value);
            return NO_RETURN_VALUE;
        }
        if (key == Opcodes.SETITEMS) {
            List<Object> items = stack.pop_all_since_marker();
            Map<Object, Object> target = dict(stack.peek());
            for (int i = 0; i + 1 < items.size(); i += 2) {
                target.put(items.get(i), items.get(i + 1));
            }
            return NO_RETURN_VALUE;
        }
        if (key == Opcodes.BUILD) {
            // State of an object: an OrderedDict's _metadata, a placeholder's fields. Weights need none.
            stack.pop();
            return NO_RETURN_VALUE;
        }
        return super.dispatch(key);
    }

    /**
     * Refuses a string, bytes or long whose declared length passes the stream's: Pyrolite allocates the
     * declared length before reading, so ten bytes could otherwise ask for gigabytes.
     */
    private void requirePlausibleLength(short key) throws IOException {
        int width = switch (key) {
            case Opcodes.BINSTRING, Opcodes.BINBYTES, Opcodes.BINUNICODE, Opcodes.LONG4 -> 4;
            case Opcodes.BINUNICODE8, Opcodes.BINBYTES8, Opcodes.BYTEARRAY8 -> 8;
            default -> 0;
        };
        if (width == 0) {
            return;
        }
        input.mark(width);
        byte[] raw = input.readNBytes(width);
        input.reset();
        if (raw.length < width) {
            return; // Pyrolite reports the truncation
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        long length = width == 4 ? (key == Opcodes.LONG4 ? b.getInt() : Integer.toUnsignedLong(b.getInt())) : b.getLong();
        if (length < 0 || length > maxBytes) {
            throw new PlabException(file + " is damaged: its pickle declares a value of " + length + " bytes in a"
                    + " stream of at most " + maxBytes);
        }
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object top) {
        if (top instanceof Map<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw new PlabException(file + ": malformed pickle, SETITEM on a " + top.getClass().getSimpleName());
    }

    private IObjectConstructor resolve(String module, String name) {
        String global = module + "." + name;
        if ((module.equals("torch") || module.equals("torch.cuda")) && STORAGE_TYPES.containsKey(name)) {
            return new StorageClass(STORAGE_TYPES.get(name));
        }
        return switch (global) {
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> a -> tensor(a);
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> a -> a[0];
            case "torch._tensor._rebuild_from_type_v2" -> a -> ((IObjectConstructor) a[0]).construct((Object[]) a[2]);
            case "collections.OrderedDict" -> TorchUnpickler::orderedDict;
            default -> new Placeholder(global, new Object[0]);
        };
    }

    /** A storage class pushed by GLOBAL ({@code torch.FloatStorage}); only its element type is used. */
    private record StorageClass(DataType dataType) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            throw new PlabException("a torch.save file constructs a storage directly; not supported");
        }
    }

    private TensorRef tensor(Object[] args) {
        if (args.length < 4 || !(args[0] instanceof StorageRef storage)) {
            throw new PlabException(file + ": a tensor is built from " + java.util.Arrays.deepToString(args)
                    + " instead of (storage, offset, shape, strides)");
        }
        return new TensorRef(storage, number(args[1]), longs(args[2]), longs(args[3]));
    }

    /** {@code OrderedDict()} or Python 2's {@code OrderedDict([[k, v], ...])}. */
    private static Object orderedDict(Object[] args) {
        Map<Object, Object> map = new LinkedHashMap<>();
        if (args.length > 0 && args[0] instanceof List<?> pairs) {
            for (Object pair : pairs) {
                List<Object> kv = sequence(pair);
                map.put(kv.get(0), kv.get(1));
            }
        }
        return map;
    }

    /**
     * {@code ('storage', torch.FloatStorage, key, location, numel[, view_metadata])}; the location tag
     * ({@code cpu}, {@code cuda:0}) is ignored. Legacy view metadata {@code (view_key, offset, size)} makes
     * a storage that starts {@code offset} elements into the root.
     */
    @Override
    protected Object persistentLoad(Object pid) {
        Object[] id = pid instanceof Object[] a ? a : sequence(pid).toArray();
        if (id.length < 5 || !"storage".equals(id[0]) || !(id[1] instanceof StorageClass kind)) {
            throw new PlabException(file + ": unsupported persistent id " + java.util.Arrays.deepToString(id)
                    + "; only tensor storages can be read");
        }
        String key = String.valueOf(id[2]);
        StorageRef root = storages.computeIfAbsent(key,
                k -> new StorageRef(k, kind.dataType(), number(id[4]), 0));
        if (id.length > 5 && id[5] != null) {
            List<Object> view = sequence(id[5]);
            return new StorageRef(key, kind.dataType(), root.rootElements(), number(view.get(1)));
        }
        return root;
    }

    private static long number(Object o) {
        if (o instanceof Number n) {
            return n.longValue();
        }
        throw new PlabException("expected a number in the pickle, got " + o);
    }

    private static long[] longs(Object o) {
        List<Object> items = sequence(o);
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = number(items.get(i));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> sequence(Object o) {
        if (o instanceof Object[] a) {
            return java.util.Arrays.asList(a);
        }
        if (o instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw new PlabException("expected a tuple or list in the pickle, got " + o);
    }

    /**
     * Every tensor of a loaded object under a dotted name: dict keys and list or tuple indices joined by
     * dots ({@code state_dict.0.weight}, {@code list.1}), in file order; non-tensor values are skipped.
     */
    static Map<String, TensorRef> tensors(Object file, Object root) {
        Map<String, TensorRef> out = new LinkedHashMap<>();
        collect(file, "", root, out, 0);
        return out;
    }

    private static void collect(Object file, String name, Object value, Map<String, TensorRef> out, int depth) {
        if (depth > MAX_DEPTH) {
            throw new PlabException(file + ": its containers nest deeper than " + MAX_DEPTH + " levels (at " + name
                    + "); no weights file does, the file is damaged or hostile");
        }
        if (value instanceof TensorRef t) {
            out.put(name, t);
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> collect(file, join(name, String.valueOf(k)), v, out, depth + 1));
        } else if (value instanceof List<?> || value instanceof Object[]) {
            List<Object> items = sequence(value);
            for (int i = 0; i < items.size(); i++) {
                collect(file, join(name, Integer.toString(i)), items.get(i), out, depth + 1);
            }
        }
    }

    private static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }
}
