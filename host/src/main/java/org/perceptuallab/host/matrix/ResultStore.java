package org.perceptuallab.host.matrix;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
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
 * another shard, {@code plab report}) sees a whole result or none. Each record carries the version of its
 * layout ({@link #SCHEMA}) and the sha-256 of its content: a record of another version, edited, or cut
 * short is not kept but run again.
 */
public final class ResultStore {
    /**
     * The JSON mapper of every result file; a key given twice in an object is an error, not "the last
     * wins" (an edited file would otherwise say one thing to a reader and another to plab).
     */
    public static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    /** The layout version of the cell records this host writes, and the only one it keeps. */
    public static final int SCHEMA = 1;
    /** A record's fields that hold its layout version and its content hash. */
    static final String SCHEMA_FIELD = "schema";
    static final String HASH_FIELD = "sha256";
    /** One text for one content: compact, every object's keys sorted, so the hash outlives reformatting. */
    private static final ObjectWriter CANONICAL = JsonMapper.builder()
            .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED).build().writer();
    /** How every file's text reaches its temporary file (a test gives one that fails as a full disk does). */
    static final TextWriter FILES = (file, text) -> Files.writeString(file, text, StandardCharsets.UTF_8);
    /** The name of a cell's result file. */
    public static final String RESULT = "result.json";
    /** The marker a process leaves in a cell's folder while it runs the cell. */
    public static final String RUNNING = "running.json";
    /** The cell's state folder (checkpoints, the metrics sink), kept when the cell runs again. */
    public static final String STATE = "state";
    /** A cell's id: the start of its key's sha-256. */
    private static final String CELL_ID = "[0-9a-f]{12}";

    /** Writes {@code text} to {@code file}; the seam through which a full disk is simulated. */
    @FunctionalInterface
    interface TextWriter {
        void write(Path file, String text) throws IOException;
    }

    /**
     * A cell folder's stored record, when there is one to keep, or why not: {@code distrust} says why a
     * record present was not kept (null when there is none or it was kept).
     */
    public record Stored(Optional<CellRecord> record, String distrust) {
        static final Stored NONE = new Stored(Optional.empty(), null);

        static Stored distrusted(String why) {
            return new Stored(Optional.empty(), why);
        }
    }

    private final Path root;
    private final TextWriter writer;

    public ResultStore(Path root) {
        this(root, FILES);
    }

    ResultStore(Path root, TextWriter writer) {
        this.root = root;
        this.writer = writer;
    }

    public Path root() {
        return root;
    }

    /**
     * The folder of a cell: its experiment's and loss's names, and the id derived from its key (12 hex
     * digits; anything else, from a hand-made plan say, is refused rather than made a path).
     */
    public Path cellDir(String experiment, String loss, String id) {
        if (id == null || !id.matches(CELL_ID)) {
            throw new PlabException("cell " + experiment + "/" + loss + " has the id '" + id + "', which is no cell"
                    + " id (12 hex digits); the results folder's plans/ was edited: remove the edited plan file");
        }
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
                    && d.getFileName().toString().substring(prefix.length()).matches(CELL_ID)).sorted().toList();
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

    /** The stored result of a cell, if a whole one to keep exists ({@link #load} says why not). */
    public Optional<CellRecord> read(Path cellDir) {
        return load(cellDir).record();
    }

    /**
     * The stored result of a cell, if a whole one exists that this host wrote as it is: of its {@link #SCHEMA},
     * its content hash matching, done with its metrics or failed with its error. Anything else (a record cut
     * short, edited, of another layout version, or without a hash) is not kept, and the answer says why.
     */
    public Stored load(Path cellDir) {
        Path file = cellDir.resolve(RESULT);
        if (!Files.isRegularFile(file)) {
            return Stored.NONE;
        }
        String why = "its " + file + " ";
        try {
            if (!(JSON.readTree(file.toFile()) instanceof ObjectNode node)) {
                return Stored.distrusted(why + "is no JSON object");
            }
            JsonNode schema = node.path(SCHEMA_FIELD);
            if (!schema.isIntegralNumber() || schema.asLong() != SCHEMA) {
                return Stored.distrusted(why + (schema.isMissingNode() ? "has no schema version (written by an"
                        + " older plab or by hand)" : "is of schema version " + schema + ", not " + SCHEMA
                        + " (the version this plab writes)"));
            }
            JsonNode hash = node.remove(HASH_FIELD);
            if (hash == null || !hash.asText().equals(contentHash(node))) {
                return Stored.distrusted(why + (hash == null ? "has no content hash"
                        : "does not match its content hash (edited after it was written)"));
            }
            String status = node.path("status").asText();
            boolean whole = status.equals("done") ? node.path("metrics").isObject()
                    && node.path("metricTypes").isObject()
                    : status.equals("failed") && node.path("error").isTextual();
            return whole ? new Stored(Optional.of(JSON.treeToValue(node, CellRecord.class)), null)
                    : Stored.distrusted(why + "holds neither a done cell with metrics nor a failed one with its"
                    + " error");
        } catch (IOException | IllegalArgumentException e) {
            return Stored.distrusted(why + "cannot be read (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }

    /** Stores a cell's record in its folder, atomically, with its layout version and content hash. */
    public void write(Path cellDir, CellRecord record) {
        ObjectNode stored = JSON.createObjectNode().put(SCHEMA_FIELD, SCHEMA);
        stored.setAll((ObjectNode) JSON.valueToTree(record));
        Path file = cellDir.resolve(RESULT);
        try {
            // The hash of the content as it will read back (numbers keep their written form only).
            stored.put(HASH_FIELD, contentHash(JSON.readTree(JSON.writeValueAsString(stored))));
            writeAtomically(file, JSON.writeValueAsString(stored), writer);
        } catch (IOException e) {
            throw new PlabException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The sha-256 of a record's content (without its hash field), in its canonical text. */
    static String contentHash(JsonNode record) throws IOException {
        return ShardPlan.sha256(CANONICAL.writeValueAsString(record));
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
        writeAtomically(file, text, FILES);
    }

    /**
     * As {@link #writeAtomically(Path, String)}, through {@code writer}. A failed write (a full disk) removes
     * its temporary file and leaves {@code file} as it was; the message says what to do.
     */
    static void writeAtomically(Path file, String text, TextWriter writer) {
        Path tmp = null;
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            writer.write(tmp, text);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            deleteQuietly(tmp, e);
            throw new PlabException("cannot write " + file + ": " + e.getMessage() + fullDiskAdvice(e), e);
        }
    }

    /** Removes a temporary file after a failed write; one that cannot go is noted on the failure. */
    private static void deleteQuietly(Path tmp, IOException failure) {
        if (tmp != null) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
        }
    }

    /**
     * What to do where the file system said it is out of space (ENOSPC) or over quota (EDQUOT), else empty.
     * Every result file is written whole or not at all, so what was finished before is still there.
     */
    public static String fullDiskAdvice(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (message.contains("No space left on device") || message.contains("Disk quota exceeded")) {
                return "; the disk is full: free some space and run the command again (finished cells are kept)";
            }
        }
        return "";
    }

    /**
     * A folder name for a display name: safe characters, plus a short hash when any had to be replaced; a
     * name of dots alone ({@code ..}) is no folder of its own, so it is replaced too.
     */
    public static String safe(String name) {
        String s = name.replaceAll("[^A-Za-z0-9._-]+", "_");
        if (s.length() > 60) {
            s = s.substring(0, 60);
        }
        if (s.matches("\\.*")) {
            s = "_".repeat(Math.max(1, s.length()));
        }
        if (!s.equals(name)) {
            s += "-" + HexFormat.of().toHexDigits(name.hashCode());
        }
        return s;
    }
}
