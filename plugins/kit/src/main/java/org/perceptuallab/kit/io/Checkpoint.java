package org.perceptuallab.kit.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.perceptuallab.api.CellState;
import org.perceptuallab.api.PlabException;

/**
 * A training checkpoint in the cell's state folder: one zip holding every tensor as {@code NAME.npy} (exact
 * bits) and the counters as {@code meta.json}. Written through {@link CellState#write}, so a kill leaves the
 * previous checkpoint or this one, never half of one.
 *
 * @param tensors the tensors by name
 * @param meta epoch, step, optimiser step counts, the random state and whatever else the run needs
 */
public record Checkpoint(Map<String, NDArray> tensors, ObjectNode meta) {
    /** The training loop's checkpoint. */
    public static final String FILE = "checkpoint.zip";
    private static final String META = "meta.json";
    private static final String ARRAY = ".npy";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes this checkpoint atomically as {@code file} in the state folder. */
    public void write(CellState state, String file) throws IOException {
        state.write(file, out -> {
            // closed, so that its deflater's native memory is released now, not at some garbage collection;
            // the state folder closes the file itself
            try (ZipOutputStream zip = new ZipOutputStream(new FilterOutputStream(out) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    flush();
                }
            })) {
                writeEntries(zip);
            }
        });
    }

    private void writeEntries(ZipOutputStream zip) throws IOException {
        zip.setLevel(0);
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            zip.putNextEntry(new ZipEntry(e.getKey() + ARRAY));
            NumpyArrays.writeNpy(e.getValue(), zip);
            zip.closeEntry();
        }
        zip.putNextEntry(new ZipEntry(META));
        zip.write(JSON.writeValueAsBytes(meta));
        zip.closeEntry();
    }

    /**
     * The checkpoint {@code fileName} an earlier run of the cell left, its tensors in {@code manager}; empty when
     * there is none.
     */
    public static Optional<Checkpoint> read(CellState state, NDManager manager, String fileName) throws IOException {
        if (!state.resuming()) {
            return Optional.empty();
        }
        Optional<Path> file = state.find(fileName);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        ObjectNode meta = null;
        try (CheckedZip zip = CheckedZip.open(file.get(), "checkpoint")) {
            for (ZipEntry e : zip.entries()) {
                String name = e.getName();
                if (name.equals(META)) {
                    meta = (ObjectNode) JSON.readTree(zip.readAllBytes(e));
                } else if (name.endsWith(ARRAY)) {
                    tensors.put(name.substring(0, name.length() - ARRAY.length()),
                            zip.read(e, in -> NumpyArrays.parse(manager, in, file.get() + ":" + name)));
                }
            }
        }
        if (meta == null) {
            throw new PlabException("checkpoint " + file.get() + " has no " + META + "; delete the cell's state folder "
                    + state.dir() + " to start the cell afresh");
        }
        return Optional.of(new Checkpoint(tensors, meta));
    }

    /** The tensors whose names start with {@code prefix}, the prefix removed. */
    public Map<String, NDArray> under(String prefix) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        tensors.forEach((name, t) -> {
            if (name.startsWith(prefix)) {
                out.put(name.substring(prefix.length()), t);
            }
        });
        return out;
    }
}
