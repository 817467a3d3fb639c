package org.perceptuallab.host.matrix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.run.CellOutcome;

/**
 * What a results folder holds now, for {@code plab report}: the cells of its newest plan in plan order,
 * each its stored result or a placeholder (running, missing); without a plan (a folder from an older
 * host), every stored result. Safe while shards are still writing: results are whole files or absent.
 */
public final class ResultsFolder {
    /**
     * The matrix's name, its notes, its experiments' notes by name, its cells, and each cell's folder (in the
     * cells' order; the folder holds the cell's images and its streamed {@code state/metrics.jsonl}).
     */
    public record View(String matrix, List<String> notes, Map<String, String> experimentNotes,
                       List<CellOutcome> cells, List<Path> cellDirs) {
    }

    private ResultsFolder() {
    }

    public static View read(Path output) throws IOException {
        if (!Files.isDirectory(output.resolve("cells")) && !Files.isDirectory(output.resolve("plans"))) {
            throw new PlabException(output.toAbsolutePath() + " is not a results folder (it has no cells/ and no"
                    + " plans/); give the --out folder of 'plab matrix'");
        }
        ResultStore store = new ResultStore(output);
        Optional<ObjectNode> plan = ShardPlan.newest(output);
        List<CellOutcome> cells = new ArrayList<>();
        List<Path> cellDirs = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Map<String, String> experimentNotes = new LinkedHashMap<>();
        String matrix = output.getFileName().toString();
        if (plan.isPresent()) {
            matrix = plan.get().path("matrix").asText(matrix);
            plan.get().path("notes").forEach(n -> notes.add(n.asText()));
            plan.get().path("experimentNotes").fields().forEachRemaining(n -> experimentNotes.put(n.getKey(),
                    n.getValue().asText()));
            for (JsonNode c : plan.get().path("cells")) {
                Path dir = store.cellDir(c.path("experiment").asText(), c.path("loss").asText(), c.path("id").asText());
                cells.add(kept(store, dir, notes).orElseGet(() -> store.placeholder(dir, c.path("experiment").asText(),
                        c.path("loss").asText(), null, c.path("shard").asInt())));
                cellDirs.add(dir);
            }
        } else {
            try (Stream<Path> files = Files.walk(output.resolve("cells"))) {
                for (Path f : files.filter(p -> p.getFileName().toString().equals(ResultStore.RESULT)).sorted().toList()) {
                    kept(store, f.getParent(), notes).ifPresent(cell -> {
                        cells.add(cell);
                        cellDirs.add(f.getParent());
                    });
                }
            }
            notes.add("no plan in this folder: the cells present are shown, missing ones cannot be named");
        }
        return new View(matrix, notes, experimentNotes, cells, cellDirs);
    }

    /** The cell's record where it is kept; one present but not trusted is a note saying why. */
    private static Optional<CellOutcome> kept(ResultStore store, Path dir, List<String> notes) {
        ResultStore.Stored stored = store.load(dir);
        if (stored.distrust() != null) {
            notes.add("a cell's stored result is not shown: " + stored.distrust() + "; 'plab matrix' runs it again");
        }
        return stored.record();
    }
}
