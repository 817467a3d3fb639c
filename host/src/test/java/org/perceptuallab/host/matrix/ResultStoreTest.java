package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.Metric;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.io.JsonFiles;
import org.perceptuallab.host.provenance.Provenance;
import org.perceptuallab.host.run.CellOutcome;

/**
 * A stored cell record is kept only as this host wrote it (its schema version, its content hash), and a
 * write that fails (a full disk) leaves no temporary file and every finished cell as it was.
 */
class ResultStoreTest {
    /** Writes a done l2 cell into {@code dir}; its record file. */
    private static Path writeDone(ResultStore store, Path dir) throws IOException {
        store.write(dir, done("l2", 0.25));
        return dir.resolve(ResultStore.RESULT);
    }

    static CellOutcome.Done done(String loss, double value) {
        ObjectNode key = JsonNodeFactory.instance.objectNode().put("experiment", "image-mean").put("seed", 0);
        return new CellOutcome.Done("image-mean", loss, key, Map.of("distance", value),
                Map.of("distance", new CellOutcome.MetricType(Metric.Better.LOWER, Metric.Kind.VALUE)), "distance",
                null, null, null, null, false, null);
    }

    @Test
    void aRecordWrittenByTheStoreCarriesItsSchemaAndHashAndIsKept(@TempDir Path tmp) throws IOException {
        ResultStore store = new ResultStore(tmp);
        Path dir = store.cellDir("image-mean", "l2", "0123456789ab");
        store.write(dir, done("l2", 0.25));
        ObjectNode written = (ObjectNode) JsonFiles.JSON.readTree(dir.resolve(ResultStore.RESULT).toFile());
        assertThat(written.path("schema").asInt()).isEqualTo(ResultStore.SCHEMA);
        assertThat(written.path("sha256").asText()).matches("[0-9a-f]{64}");
        ResultStore.Stored stored = store.load(dir);
        assertThat(stored.distrust()).isNull();
        assertThat(stored.record()).hasValueSatisfying(r -> assertThat(((CellOutcome.Done) r).metrics()).containsEntry("distance", 0.25));

        // Reformatted (keys reordered, compact), it is the same content.
        List<String> names = new ArrayList<>();
        written.fieldNames().forEachRemaining(names::add);
        names.sort(Comparator.reverseOrder());
        ObjectNode reordered = JsonNodeFactory.instance.objectNode();
        names.forEach(n -> reordered.set(n, written.get(n)));
        Files.writeString(dir.resolve(ResultStore.RESULT), reordered.toString());
        assertThat(store.load(dir).record()).isPresent();
    }

    @Test
    void anEditedRecordIsNotKeptAndSaysItDoesNotMatchItsHash(@TempDir Path tmp) throws IOException {
        ResultStore store = new ResultStore(tmp);
        Path dir = store.cellDir("image-mean", "l2", "0123456789ab");
        Path file = writeDone(store, dir);
        ObjectNode edited = (ObjectNode) JsonFiles.JSON.readTree(file.toFile());
        ((ObjectNode) edited.get("metrics")).put("distance", 0.0001);
        Files.writeString(file, edited.toPrettyString());

        ResultStore.Stored stored = store.load(dir);
        assertThat(stored.record()).isEmpty();
        assertThat(stored.distrust()).contains(file.toString()).contains("does not match its content hash");
    }

    @Test
    void aRecordOfAnUnknownSchemaVersionOrWithoutOneIsNotKeptAndSaysSo(@TempDir Path tmp) throws IOException {
        ResultStore store = new ResultStore(tmp);
        Path dir = store.cellDir("image-mean", "l2", "0123456789ab");
        Path file = writeDone(store, dir);
        ObjectNode record = (ObjectNode) JsonFiles.JSON.readTree(file.toFile());
        // The hash recomputed over the new version: the version alone is refused.
        record.remove("sha256");
        record.put("schema", 99);
        record.put("sha256", ResultStore.contentHash(record));
        Files.writeString(file, record.toPrettyString());
        assertThat(store.load(dir).distrust()).contains("schema version 99, not one this plab reads (1 or 2)");

        record.remove("schema");
        Files.writeString(file, record.toPrettyString());
        assertThat(store.load(dir).distrust()).contains("has no schema version");
        assertThat(store.load(dir).record()).isEmpty();
    }

    @Test
    void aRecordOfSchemaOneWithItsFlatProvenanceIsKeptAndReadsItsProvenanceAsARecord(@TempDir Path tmp)
            throws IOException {
        ResultStore store = new ResultStore(tmp);
        Path dir = store.cellDir("image-mean", "l2", "0123456789ab");
        // As plab wrote records before provenance was split into records: every field at the top level.
        ObjectNode record = (ObjectNode) JsonFiles.JSON.valueToTree(done("l2", 0.25));
        record.put("schema", 1);
        ObjectNode flat = record.putObject("provenance");
        flat.putObject("experiment").put("id", "image-mean").put("plugin", "plugin experiment-image-mean 1.0.0");
        flat.putObject("loss").put("plugin", "plugin losses-pixel 1.0.0").putObject("spec").put("loss", "l2");
        flat.put("seed", 7).put("engineSeed", 7).put("device", "cpu()").put("threads", 2).put("hostVersion", "0.9")
                .put("apiVersion", "1.3.0").put("djl", "0.36.0").put("engine", "PyTorch 2.7.1").put("java", "17")
                .put("os", "Linux amd64").put("baseDir", "/data").put("started", "2026-01-01T00:00:00Z")
                .put("ended", "2026-01-01T00:00:02Z").put("seconds", 2.0);
        flat.putArray("commandLine").add("plab").add("matrix");
        flat.putArray("plugins").addObject().put("id", "losses-pixel").put("version", "1.0.0")
                .put("jar", "/p/pixel.jar").put("sha256", "ab".repeat(32));
        record.put("sha256", ResultStore.contentHash(record));
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(ResultStore.RESULT), record.toPrettyString());

        ResultStore.Stored stored = store.load(dir);
        assertThat(stored.distrust()).isNull();
        CellOutcome.Done kept = (CellOutcome.Done) stored.record().orElseThrow();
        assertThat(kept.provenance().run()).isEqualTo(new Provenance.Run(7, 7, null, "cpu()", 2,
                List.of("plab", "matrix"), "/data"));
        assertThat(kept.provenance().software().api()).isEqualTo("1.3.0");
        assertThat(kept.provenance().timing().seconds()).isEqualTo(2.0);
        assertThat(kept.seconds()).isEqualTo(2.0);
        assertThat(kept.provenance().plugins()).extracting(Provenance.LoadedPlugin::origin)
                .containsExactly("plugin losses-pixel 1.0.0");
    }

    @Test
    void eachStatusReadsBackAsItsOwnTypeWithOnlyItsOwnFields(@TempDir Path tmp) throws IOException {
        ResultStore store = new ResultStore(tmp);
        Path dir = store.cellDir("image-mean", "l2", "0123456789ab");
        CellOutcome.Failed failed = new CellOutcome.Failed("image-mean", "l2", null, "out of memory", "trace",
                Map.of("loss", new CellOutcome.Curve(List.of(1.0, 0.5), null)), null);
        store.write(dir, failed);
        assertThat(store.read(dir)).contains(failed);
        JsonNode written = JsonFiles.JSON.readTree(dir.resolve(ResultStore.RESULT).toFile());
        assertThat(written.path("status").asText()).isEqualTo("failed");
        assertThat(written.has("metrics")).as("a failed cell has no metrics field").isFalse();
        assertThat(written.path("schema").asInt()).isEqualTo(ResultStore.SCHEMA);

        CellOutcome.Pending running = new CellOutcome.Pending("image-mean", "l1", null,
                new CellOutcome.Running("host", 12, "0/1", "2026-01-01T00:00:00Z"), 0);
        CellOutcome back = JsonFiles.JSON.treeToValue(JsonFiles.JSON.valueToTree(running), CellOutcome.class);
        assertThat(back).isEqualTo(running);
        assertThat(back.status()).isEqualTo(CellOutcome.Status.running);
        CellOutcome missing = JsonFiles.JSON.treeToValue(JsonFiles.JSON.valueToTree(
                new CellOutcome.Pending("image-mean", "l1", null, null, 2)), CellOutcome.class);
        assertThat(missing.status()).isEqualTo(CellOutcome.Status.missing);
    }

    @Test
    void aRecordWithAKeyGivenTwiceIsNotKept(@TempDir Path tmp) throws IOException {
        ResultStore store = new ResultStore(tmp);
        Path dir = store.cellDir("image-mean", "l2", "0123456789ab");
        Path file = writeDone(store, dir);
        String text = Files.readString(file);
        Files.writeString(file, text.replaceFirst("\\{", "{\"status\": \"failed\","));
        assertThat(store.load(dir).distrust()).contains("cannot be read").contains("Duplicate field 'status'");
    }

    @Test
    void aFullDiskRemovesItsTemporaryFileSaysSoAndKeepsEveryFinishedCell(@TempDir Path tmp) throws IOException {
        new ResultStore(tmp).write(new ResultStore(tmp).cellDir("image-mean", "l1", "0123456789ab"), done("l1", 0.5));
        // The disk fills up half way through the next record.
        ResultStore full = new ResultStore(tmp, (file, text) -> {
            Files.writeString(file, text.substring(0, text.length() / 2), StandardCharsets.UTF_8);
            throw new IOException("No space left on device");
        });
        Path second = full.cellDir("image-mean", "l2", "ba9876543210");
        assertThatThrownBy(() -> full.write(second, done("l2", 0.25))).isInstanceOf(PlabException.class)
                .hasMessageContaining("cannot write " + second.resolve(ResultStore.RESULT))
                .hasMessageContaining("No space left on device").hasMessageContaining("the disk is full")
                .hasMessageContaining("finished cells are kept");
        try (Stream<Path> files = Files.walk(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"))
                    .contains(ResultStore.RESULT);
        }
        assertThat(second.resolve(ResultStore.RESULT)).doesNotExist();
        assertThat(full.load(full.cellDir("image-mean", "l1", "0123456789ab")).record())
                .hasValueSatisfying(r -> assertThat(((CellOutcome.Done) r).metrics()).containsEntry("distance", 0.5));
    }

    @Test
    void aFailedRewriteLeavesTheFileAsItWas(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("results.csv"), "before\n");
        assertThatThrownBy(() -> JsonFiles.writeAtomically(file, "after\n", (f, text) -> {
            throw new IOException("No space left on device");
        })).isInstanceOf(PlabException.class).hasMessageContaining("the disk is full");
        assertThat(file).hasContent("before");
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void aCellIdThatIsNoIdIsRefusedAndANameOfDotsIsNoFolderOfItsOwn(@TempDir Path tmp) {
        ResultStore store = new ResultStore(tmp);
        assertThatThrownBy(() -> store.cellDir("image-mean", "l2", "../../../etc")).isInstanceOf(PlabException.class)
                .hasMessageContaining("'../../../etc'").hasMessageContaining("12 hex digits");
        Path dots = store.cellDir("..", "..", "0123456789ab");
        assertThat(dots.normalize()).isEqualTo(dots);
        assertThat(dots.getParent().getParent()).isEqualTo(tmp.resolve("cells"));
        assertThat(ResultStore.safe("..")).isNotEqualTo("..").doesNotContain("/");
        assertThat(ResultStore.safe("a/../b")).doesNotContain("/");
    }

    @Test
    void anIntactRecordMissingWhatReadersRelyOnIsNotKept(@TempDir Path tmp) throws IOException {
        ResultStore store = new ResultStore(tmp);
        Path dir = store.cellDir("image-mean", "l2", "0123456789ab");
        Path file = writeDone(store, dir);
        ObjectNode record = (ObjectNode) JsonFiles.JSON.readTree(file.toFile());
        record.remove("sha256");
        ((ObjectNode) record.get("metricTypes").get("distance")).putNull("better");
        // Hashed again: the record is as written, yet no reader could use it.
        record.put("sha256", ResultStore.contentHash(record));
        Files.writeString(file, record.toPrettyString());
        assertThat(store.load(dir).distrust()).contains("cannot be read")
                .contains("a cell record needs a metric type's 'better'");
    }
}
