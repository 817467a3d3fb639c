package org.perceptuallab.host.matrix;

import static org.perceptuallab.host.io.JsonFiles.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.io.JsonFiles;
import org.perceptuallab.host.run.CellOutcome;
import org.perceptuallab.host.run.Shard;

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
     * The layout version of the cell records this host writes. Version 2 holds provenance as small records
     * (run, software, timing); version 1's flat provenance still reads, so earlier results are kept.
     */
    public static final int SCHEMA = 2;
    /** The layout versions this host reads. */
    private static final Set<Long> READABLE = Set.of(1L, 2L);
    /** A record's fields that hold its layout version and its content hash. */
    static final String SCHEMA_FIELD = "schema";
    static final String HASH_FIELD = "sha256";
    /** One text for one content: compact, every object's keys sorted, so the hash outlives reformatting. */
    private static final ObjectWriter CANONICAL = JsonMapper.builder()
            .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED).build().writer();
    /** The name of a cell's result file. */
    public static final String RESULT = "result.json";
    /** The marker a process leaves in a cell's folder while it runs the cell. */
    public static final String RUNNING = "running.json";
    /** The cell's state folder (checkpoints, the metrics sink), kept when the cell runs again. */
    public static final String STATE = "state";
    /** A cell's id: the start of its key's sha-256. */
    private static final String CELL_ID = "[0-9a-f]{12}";

    /**
     * A cell folder's stored record, when there is one to keep, or why not: {@code distrust} says why a
     * record present was not kept (null when there is none or it was kept).
     */
    public record Stored(Optional<CellOutcome> record, String distrust) {
        static final Stored NONE = new Stored(Optional.empty(), null);

        static Stored distrusted(String why) {
            return new Stored(Optional.empty(), why);
        }
    }

    private final Path root;
    private final JsonFiles.TextWriter writer;

    public ResultStore(Path root) {
        this(root, JsonFiles.FILES);
    }

    ResultStore(Path root, JsonFiles.TextWriter writer) {
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
        JsonFiles.writeJson(cellDir.resolve(RUNNING), marker);
    }

    /** Removes the running marker once the result is stored. */
    public void clearRunning(Path cellDir) throws IOException {
        Files.deleteIfExists(cellDir.resolve(RUNNING));
    }

    /**
     * The record of a cell without a result: {@code running} (with the marker: host, process, start; a
     * process killed mid-cell leaves it until the cell is run again) or {@code missing}.
     */
    public CellOutcome.Pending placeholder(Path cellDir, String experiment, String loss, JsonNode key, Integer shard) {
        Path marker = cellDir.resolve(RUNNING);
        CellOutcome.Running running = null;
        if (Files.isRegularFile(marker)) {
            try {
                running = JSON.readValue(marker.toFile(), CellOutcome.Running.class);
            } catch (IOException torn) {
                running = null;
            }
        }
        return new CellOutcome.Pending(experiment, loss, key, running, shard);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The stored result of a cell, if a whole one to keep exists ({@link #load} says why not). */
    public Optional<CellOutcome> read(Path cellDir) {
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
            if (!schema.isIntegralNumber() || !READABLE.contains(schema.asLong())) {
                return Stored.distrusted(why + (schema.isMissingNode() ? "has no schema version (written by an"
                        + " older plab or by hand)" : "is of schema version " + schema + ", not one this plab reads"
                        + " (" + READABLE.stream().sorted().map(String::valueOf).reduce((a, b) -> a + " or " + b)
                        .orElseThrow() + ")"));
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
            return whole ? new Stored(Optional.of(JSON.treeToValue(node, CellOutcome.class)), null)
                    : Stored.distrusted(why + "holds neither a done cell with metrics nor a failed one with its"
                    + " error");
        } catch (IOException | IllegalArgumentException e) {
            return Stored.distrusted(why + "cannot be read (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }

    /** Stores a cell's record in its folder, atomically, with its layout version and content hash. */
    public void write(Path cellDir, CellOutcome record) {
        ObjectNode stored = JSON.createObjectNode().put(SCHEMA_FIELD, SCHEMA);
        stored.setAll((ObjectNode) JSON.valueToTree(record));
        Path file = cellDir.resolve(RESULT);
        try {
            // The hash of the content as it will read back (numbers keep their written form only).
            stored.put(HASH_FIELD, contentHash(JSON.readTree(JSON.writeValueAsString(stored))));
            JsonFiles.writeAtomically(file, JSON.writeValueAsString(stored), writer);
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
