package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    static CellRecord done(String loss, double value) {
        ObjectNode key = JsonNodeFactory.instance.objectNode().put("experiment", "image-mean").put("seed", 0);
        return new CellRecord("image-mean", loss, key, CellRecord.Status.done, Map.of("distance", value),
                Map.of("distance", new CellRecord.MetricType(Metric.Better.LOWER, Metric.Kind.VALUE)), "distance",
                null, null, null, null, false, null, null, null, null, null);
    }

    @Test
    void aRecordWrittenByTheStoreCarriesItsSchemaAndHashAndIsKept(@TempDir Path tmp) throws IOException {
        ResultStore store = new ResultStore(tmp);
        Path dir = store.cellDir("image-mean", "l2", "0123456789ab");
        store.write(dir, done("l2", 0.25));
        ObjectNode written = (ObjectNode) ResultStore.JSON.readTree(dir.resolve(ResultStore.RESULT).toFile());
        assertThat(written.path("schema").asInt()).isEqualTo(ResultStore.SCHEMA);
        assertThat(written.path("sha256").asText()).matches("[0-9a-f]{64}");
        ResultStore.Stored stored = store.load(dir);
        assertThat(stored.distrust()).isNull();
        assertThat(stored.record()).hasValueSatisfying(r -> assertThat(r.metrics()).containsEntry("distance", 0.25));

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
        ObjectNode edited = (ObjectNode) ResultStore.JSON.readTree(file.toFile());
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
        ObjectNode record = (ObjectNode) ResultStore.JSON.readTree(file.toFile());
        // The hash recomputed over the new version: the version alone is refused.
        record.remove("sha256");
        record.put("schema", 99);
        record.put("sha256", ResultStore.contentHash(record));
        Files.writeString(file, record.toPrettyString());
        assertThat(store.load(dir).distrust()).contains("schema version 99, not " + ResultStore.SCHEMA);

        record.remove("schema");
        Files.writeString(file, record.toPrettyString());
        assertThat(store.load(dir).distrust()).contains("has no schema version");
        assertThat(store.load(dir).record()).isEmpty();
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
                .hasValueSatisfying(r -> assertThat(r.metrics()).containsEntry("distance", 0.5));
    }

    @Test
    void aFailedRewriteLeavesTheFileAsItWas(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("results.csv"), "before\n");
        assertThatThrownBy(() -> ResultStore.writeAtomically(file, "after\n", (f, text) -> {
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
        ObjectNode record = (ObjectNode) ResultStore.JSON.readTree(file.toFile());
        record.remove("sha256");
        ((ObjectNode) record.get("metricTypes").get("distance")).putNull("better");
        // Hashed again: the record is as written, yet no reader could use it.
        record.put("sha256", ResultStore.contentHash(record));
        Files.writeString(file, record.toPrettyString());
        assertThat(store.load(dir).distrust()).contains("cannot be read")
                .contains("a cell record needs a metric type's 'better'");
    }
}
