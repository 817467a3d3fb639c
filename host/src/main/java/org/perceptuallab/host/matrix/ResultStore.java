package org.perceptuallab.host.matrix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.perceptuallab.api.PlabException;

/**
 * The output folder of a matrix run: {@code cells/EXPERIMENT/LOSS-ID/result.json} per cell (ID derived
 * from the cell's key), with the cell's images beside it, and {@code running.json} while a process runs
 * it. Files are written to a temporary name and moved into place atomically, so a reader (a resumed run,
 * another shard, {@code plab report}) sees a whole result or none.
 */
public final class ResultStore {
    /** The JSON mapper of every result file. */
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** The name of a cell's result file. */
    public static final String RESULT = "result.json";
    /** The marker a process leaves in a cell's folder while it runs the cell. */
    public static final String RUNNING = "running.json";
    /** The cell's state folder (checkpoints, the metrics sink), kept when the cell runs again. */
    public static final String STATE = "state";

    private final Path root;

    public ResultStore(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** The folder of a cell: its experiment's and loss's names, and the id derived from its key. */
    public Path cellDir(String experiment, String loss, String id) {
        return root.resolve("cells").resolve(safe(experiment)).resolve(safe(loss) + "-" + id);
    }

    /** The folders of every configuration of the named cell run into this folder. */
    public List<Path> cellDirs(String experiment, String loss) throws IOException {
        Path parent = root.resolve("cells").resolve(safe(experiment));
        if (!Files.isDirectory(parent)) {
            return List.of();
        }
        String prefix = safe(loss) + "-";
        try (Stream<Path> dirs = Files.list(parent)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith(prefix)
                    && d.getFileName().toString().substring(prefix.length()).matches("[0-9a-f]{12}")).sorted().toList();
        }
    }

    /** Leaves the running marker: which host and process runs the cell, for which shard, since when. */
    public void markRunning(Path cellDir, Shard shard) {
        ObjectNode marker = JSON.createObjectNode();
        marker.put("host", hostName());
        marker.put("pid", ProcessHandle.current().pid());
        marker.put("shard", shard.toString());
        marker.put("started", Instant.now().toString());
        writeJson(cellDir.resolve(RUNNING), marker);
    }

    /** Removes the running marker once the result is stored. */
    public void clearRunning(Path cellDir) throws IOException {
        Files.deleteIfExists(cellDir.resolve(RUNNING));
    }

    /**
     * The record of a cell without a result: {@code running} (with the marker: host, process, start; a
     * process killed mid-cell leaves it until the cell is run again) or {@code missing}.
     */
    public CellRecord placeholder(Path cellDir, String experiment, String loss, JsonNode key, Integer shard) {
        Path marker = cellDir.resolve(RUNNING);
        CellRecord.Running running = null;
        if (Files.isRegularFile(marker)) {
            try {
                running = JSON.readValue(marker.toFile(), CellRecord.Running.class);
            } catch (IOException torn) {
                running = null;
            }
        }
        return CellRecord.pending(experiment, loss, key, running, shard);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * The stored result of a cell, if a whole one exists: done with its metrics, or failed with its error.
     * Anything else (a record cut short, edited, or from an older host) is run again.
     */
    public Optional<CellRecord> read(Path cellDir) {
        Path file = cellDir.resolve(RESULT);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            boolean whole = node instanceof ObjectNode
                    && (node.path("status").asText().equals("done") ? node.path("metrics").isObject()
                    && node.path("metricTypes").isObject()
                    : node.path("status").asText().equals("failed") && node.path("error").isTextual());
            return whole ? Optional.of(JSON.treeToValue(node, CellRecord.class)) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Stores a cell's record in its folder, atomically. */
    public void write(Path cellDir, CellRecord record) {
        writeJson(cellDir.resolve(RESULT), JSON.valueToTree(record));
    }

    /** Empties (or creates) a cell's folder before it runs, but for its state folder. */
    public void clear(Path cellDir) throws IOException {
        if (Files.exists(cellDir)) {
            Path state = cellDir.resolve(STATE);
            try (Stream<Path> walk = Files.walk(cellDir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    if (!p.equals(cellDir) && !p.startsWith(state)) {
                        Files.delete(p);
                    }
                }
            }
        }
        Files.createDirectories(cellDir);
    }

    /** Writes JSON to {@code file} atomically. */
    public static void writeJson(Path file, JsonNode node) {
        try {
            writeAtomically(file, JSON.writeValueAsString(node));
        } catch (IOException e) {
            throw new PlabException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes text to a temporary file beside {@code file}, then moves it into place atomically. */
    public static void writeAtomically(Path file, String text) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new PlabException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** A folder name for a display name: safe characters, plus a short hash when any had to be replaced. */
    public static String safe(String name) {
        String s = name.replaceAll("[^A-Za-z0-9._-]+", "_");
        if (s.length() > 60) {
            s = s.substring(0, 60);
        }
        if (!s.equals(name)) {
            s += "-" + HexFormat.of().toHexDigits(name.hashCode());
        }
        return s;
    }
}
