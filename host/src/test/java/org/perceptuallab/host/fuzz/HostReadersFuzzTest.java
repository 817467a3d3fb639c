package org.perceptuallab.host.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.perceptuallab.api.Metric;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.Table;
import org.perceptuallab.host.io.JsonFiles;
import org.perceptuallab.host.matrix.MatrixSpec;
import org.perceptuallab.host.matrix.ResultStore;
import org.perceptuallab.host.matrix.ResultsFolder;
import org.perceptuallab.host.provenance.Provenance;
import org.perceptuallab.host.report.ResultFiles;
import org.perceptuallab.host.run.CellOutcome;
import org.perceptuallab.host.share.Reproduction;
import org.perceptuallab.testkit.Fuzz;

/**
 * The host's readers of files that come from elsewhere (matrix files, cell records, results files, shard
 * plans), fed mutated copies of valid files: each read succeeds or throws a {@link PlabException}, nothing
 * else; and a cell record is kept only when its content is what was written. A short seeded run in every
 * build (plab.fuzz.tries), a long one by {@code -Pfuzz-long}.
 */
class HostReadersFuzzTest {
    private static Path work;
    private static Map<String, String> matrices;
    private static String record;
    private static JsonNode recordContent;
    private static String results;

    @BeforeAll
    static void seeds() throws IOException {
        work = Files.createTempDirectory("plab-fuzz");
        Path examples = Path.of(System.getProperty("plab.root", ".."), "examples", "matrices");
        matrices = new java.util.TreeMap<>();
        try (Stream<Path> files = Files.list(examples)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                matrices.put(f.getFileName().toString(), Files.readString(f));
            }
        }
        matrices.put("every-key.yaml", """
                name: every-key
                seed: 3
                device: cpu
                output: plab-output/every-key
                plugins:
                  - {coordinates: 'org.example:charbonnier-loss-plugin:1.0.0', sha256: '%s'}
                losses: {all: true, params: {patch-swd: {stride: 2}}, except: [lpips]}
                experiments:
                  - {experiment: 2afc, name: two, params: {generateFrom: ../data/photos, generateTriplets: 60}}
                  - experiment: image-mean
                    params: &p {data: ../data/photos/astronaut.png, size: 32}
                """.formatted("ab".repeat(32)));
        matrices.put("listed.json", """
                {"name": "listed", "losses": [{"loss": "l2", "name": "L2"}, {"loss": "ssim", "params": {"window": 7}},
                 "l1"], "experiments": [{"experiment": "image-mean", "params": {"data": "a.png", "size": 8}}]}
                """);

        ResultStore store = new ResultStore(work.resolve("record-seed"));
        Path dir = store.cellDir("image-mean", "l2", "0123456789ab");
        ObjectNode key = JsonFiles.JSON.createObjectNode().put("experiment", "image-mean").put("seed", 0);
        key.putObject("params").put("data", "a.png").put("size", 8);
        key.putObject("loss").put("loss", "l2");
        CellOutcome.Done done = new CellOutcome.Done("image-mean", "l2", key,
                Map.of("distanceEnd", 0.125, "seconds", 1.5),
                Map.of("distanceEnd", new CellOutcome.MetricType(Metric.Better.LOWER, Metric.Kind.VALUE),
                        "seconds", new CellOutcome.MetricType(Metric.Better.LOWER, Metric.Kind.SECONDS)),
                "distanceEnd", Map.of("mean", "cells/image-mean/l2-0123456789ab/mean.png"),
                Map.of("loss", new CellOutcome.Curve(List.of(1.0, 0.5, 0.25), "cells/image-mean/l2-0123456789ab/c.png")),
                List.of(new Table("steps", List.of("step", "loss"), List.of(List.of(1, 0.5), List.of(2, 0.25)))),
                null, false, new Provenance(new Provenance.Component("image-mean", key.get("params"),
                "plugin shared 1.0.0"), new Provenance.LossComponent(key.get("loss"), "plugin shared 1.0.0"),
                new Provenance.Run(0, 0, JsonFiles.JSON.createObjectNode().put("path", "a.png").put("sha256",
                        "cd".repeat(32)), "cpu()", 2, List.of("plab", "matrix", "m.yaml"), "/data"),
                new Provenance.Software("0.1.0", "1.0", "0.30.0", "PyTorch 2.5.1", "17", "Linux amd64"),
                new Provenance.Timing("2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", 1.5),
                List.of(new Provenance.LoadedPlugin("shared", "1.0.0", "/p/shared.jar", "ab".repeat(32),
                        "org.example:shared:1.0.0"))));
        store.write(dir, done);
        record = Files.readString(dir.resolve(ResultStore.RESULT));
        recordContent = JsonFiles.JSON.valueToTree(done);

        ObjectNode root = JsonFiles.JSON.createObjectNode().put("matrix", "quick").put("hostVersion", "0.1.0");
        root.putArray("notes").add("a note");
        ObjectNode cell = (ObjectNode) JsonFiles.JSON.valueToTree(done);
        ObjectNode provenance = cell.putObject("provenance");
        provenance.putObject("experiment").put("id", "image-mean").put("plugin", "plugin shared 1.0.0");
        provenance.putObject("loss").put("plugin", "plugin shared 1.0.0");
        provenance.putArray("plugins").addObject().put("id", "shared").put("version", "1.0.0")
                .put("coordinates", "org.example:shared:1.0.0").put("sha256", "ab".repeat(32));
        provenance.put("baseDir", "/data");
        root.putArray("cells").add(cell);
        results = root.toPrettyString();
    }

    @AfterAll
    static void removeWork() {
        removeTree(work);
    }

    private static void removeTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> matrixSeeds() {
        return List.copyOf(matrices.keySet());
    }

    /** The folder of the try before, removed when the next try starts (a long run makes millions). */
    private static Path lastTry;

    /** A fresh folder per try, so that no try reads another's files. */
    private static Path tryFolder(long draw) {
        if (lastTry != null) {
            removeTree(lastTry);
        }
        try {
            lastTry = Files.createTempDirectory(work, "try-" + Long.toHexString(draw) + "-");
            return lastTry;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void readsOrRefuses(Runnable read) {
        try {
            read.run();
        } catch (PlabException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }

    @Test
    void aMutatedMatrixFileParsesOrIsRefused() {
        Fuzz.run(25L, random -> aMutatedMatrixFileParsesOrIsRefused(Fuzz.pick(random, matrixSeeds()), random.nextLong()));
    }

    private void aMutatedMatrixFileParsesOrIsRefused(String seed, long draw) throws IOException {
        Path file = Files.writeString(tryFolder(draw).resolve(seed), TextMutations.mutate(matrices.get(seed), draw));
        readsOrRefuses(() -> MatrixSpec.read(file));
    }

    @Test
    void aMutatedCellRecordIsKeptOnlyWithItsContentUnchanged() {
        Fuzz.run(25L, random -> aMutatedCellRecordIsKeptOnlyWithItsContentUnchanged(random.nextLong()));
    }

    private void aMutatedCellRecordIsKeptOnlyWithItsContentUnchanged(long draw) throws IOException {
        ResultStore store = new ResultStore(tryFolder(draw));
        Path dir = store.cellDir("image-mean", "l2", "0123456789ab");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(ResultStore.RESULT), TextMutations.mutate(record, draw));
        ResultStore.Stored stored = store.load(dir);
        stored.record().ifPresent(kept -> assertThat((JsonNode) JsonFiles.JSON.valueToTree(kept))
                .as("a kept record is the one written").isEqualTo(recordContent));
        assertThat(stored.record().isPresent() || stored.distrust() != null).isTrue();
    }

    @Test
    void aMutatedResultsFileIsReadOrRefused() {
        Fuzz.run(25L, random -> aMutatedResultsFileIsReadOrRefused(random.nextLong()));
    }

    private void aMutatedResultsFileIsReadOrRefused(long draw) throws IOException {
        Path file = Files.writeString(tryFolder(draw).resolve("results.json"), TextMutations.mutate(results, draw));
        readsOrRefuses(() -> {
            Reproduction reproduction = Reproduction.read(file);
            Reproduction.pins(reproduction.cells(null));
            reproduction.defaultOutput();
        });
    }

    @Test
    void aMutatedShardPlanOrRecordInAResultsFolderIsReportedOrRefused() {
        Fuzz.run(25L, random -> aMutatedShardPlanOrRecordInAResultsFolderIsReportedOrRefused(random.nextLong()));
    }

    private void aMutatedShardPlanOrRecordInAResultsFolderIsReportedOrRefused(long draw) throws IOException {
        Path folder = tryFolder(draw);
        Path dir = folder.resolve("cells/image-mean/l2-0123456789ab");
        Files.createDirectories(dir);
        Files.createDirectories(folder.resolve("plans"));
        Files.writeString(folder.resolve("plans/0123-of-1.json"), TextMutations.mutate("""
                {"matrix": "quick", "notes": ["n"], "cells": [{"id": "0123456789ab", "experiment": "image-mean",
                 "loss": "l2", "shard": 0}, {"id": "ba9876543210", "experiment": "2afc", "loss": "ssim", "shard": 1}]}
                """, draw));
        Files.writeString(dir.resolve(ResultStore.RESULT), TextMutations.mutate(record, ~draw));
        readsOrRefuses(() -> {
            try {
                ResultsFolder.read(folder);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Test
    void aSharedRecordOfAnyContentIsTabledAndReportedOrRefused() {
        Fuzz.run(25L, random -> aSharedRecordOfAnyContentIsTabledAndReportedOrRefused(random.nextLong()));
    }

    private void aSharedRecordOfAnyContentIsTabledAndReportedOrRefused(long draw) throws IOException {
        CellOutcome shared;
        try {
            // An intact record (written by a store, hash and all) of whatever content a shared folder may hold.
            shared = JsonFiles.JSON.treeToValue(TextMutations.mutateTree(JsonFiles.JSON.readTree(record), draw),
                    CellOutcome.class);
        } catch (IOException | IllegalArgumentException notARecord) {
            return; // refused as a record: the store reads it as not intact (ResultStore.load says why)
        }
        Path folder = tryFolder(draw);
        ResultStore store = new ResultStore(folder);
        store.write(store.cellDir("image-mean", "l2", "0123456789ab"), shared);
        readsOrRefuses(() -> {
            try {
                ResultsFolder.View view = ResultsFolder.read(folder);
                ResultFiles.write(folder, view.matrix(), view.cells(), view.notes(), view.experimentNotes(),
                        warning -> { });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
