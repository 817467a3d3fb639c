package org.perceptuallab.host.web;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.perceptuallab.api.Metric;
import org.perceptuallab.host.matrix.ResultStore;
import org.perceptuallab.host.run.CellOutcome;
import org.perceptuallab.host.run.Shard;
import org.perceptuallab.kit.io.SyntheticImages;
import org.perceptuallab.runtime.cell.FolderCellState;

/**
 * A results folder written as {@code plab matrix} writes one, cell by cell: a plan of three image-mean cells
 * (l2, vgg, ssim), each cell's metrics streamed into its state folder, its images and result stored beside.
 */
final class LiveStudy {
    static final List<String> LOSSES = List.of("l2", "vgg", "ssim");
    final Path root;
    private final ResultStore store;

    LiveStudy(Path root) throws IOException {
        this.root = root;
        this.store = new ResultStore(root);
        StringBuilder cells = new StringBuilder();
        for (String loss : LOSSES) {
            cells.append(cells.isEmpty() ? "" : ",").append("{\"experiment\":\"image-mean\",\"loss\":\"").append(loss)
                    .append("\",\"id\":\"").append(id(loss)).append("\",\"shard\":0}");
        }
        Files.createDirectories(root.resolve("plans"));
        Files.writeString(root.resolve("plans/plan-0.json"), "{\"matrix\":\"live-demo\",\"cells\":[" + cells + "]}");
    }

    private static String id(String loss) {
        return "00000000000" + LOSSES.indexOf(loss);
    }

    Path cellDir(String loss) {
        return store.cellDir("image-mean", loss, id(loss));
    }

    /** The cell's running marker and {@code steps} points of its "loss" series, falling from 1. */
    void running(String loss, int steps) throws IOException {
        Files.createDirectories(cellDir(loss));
        store.markRunning(cellDir(loss), Shard.ALL);
        stream(loss, 0, steps);
    }

    void stream(String loss, int from, int to) {
        try (FolderCellState state = FolderCellState.open(cellDir(loss).resolve(ResultStore.STATE))) {
            for (int step = from; step < to; step++) {
                state.metrics().record("loss", step, 1.0 / (1 + step));
            }
        }
    }

    /** The cell done: its target (the same in every cell) and its result image, distance {@code distance}. */
    void done(String loss, double distance, long seed) throws IOException {
        Path dir = cellDir(loss);
        String prefix = root.relativize(dir).toString().replace('\\', '/') + "/";
        SyntheticImages.write(dir.resolve("target.png"), 32, 7);
        SyntheticImages.write(dir.resolve("result.png"), 32, seed);
        Map<String, String> images = new LinkedHashMap<>();
        images.put("target", prefix + "target.png");
        images.put("result", prefix + "result.png");
        store.write(dir, new CellOutcome.Done("image-mean", loss, JsonNodeFactory.instance.objectNode().put("seed", 0),
                Map.of("distance", distance), Map.of("distance", new CellOutcome.MetricType(Metric.Better.LOWER,
                Metric.Kind.VALUE)), "distance", images, null, null, null, false, null));
        store.clearRunning(dir);
    }

    void failed(String loss, String error) throws IOException {
        Files.createDirectories(cellDir(loss));
        store.write(cellDir(loss), new CellOutcome.Failed("image-mean", loss, null, error, null, null, null));
        store.clearRunning(cellDir(loss));
    }
}
