package org.perceptuallab.host.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.matrix.MatrixRunner;
import org.perceptuallab.host.matrix.MatrixSpec;
import org.perceptuallab.host.matrix.ResultStore;
import org.perceptuallab.host.run.CellOutcome;
import org.perceptuallab.host.run.RunConfiguration;
import org.perceptuallab.kit.io.Folders;
import org.perceptuallab.runtime.cell.Preparation;

/**
 * Times whole cells ({@code 2afc:LOSS@TRIPLETSxSIZE}, {@code image-mean:LOSS@NxSIZE}) the way a matrix runs
 * them: a one-cell matrix, timed by the cell's own record (so the engine's start and the plugin loading are
 * not counted). The data is prepared once into the work folder (the 2AFC set generated from the photos, as
 * {@code plab make-2afc} does) and the decoded-image cache lies there too, so a cell's time is the loss's
 * time; the warm-up is one cell of the same workload with {@code l2}, which fills the cache.
 */
public final class CellBench {
    private final Lab lab;
    private final Path work;
    private final Path photos;

    /**
     * @param work the folder for the prepared data, the cache and the runs (kept between benchmarks)
     * @param photos the folder of photos the data is made from
     */
    public CellBench(Lab lab, Path work, Path photos) {
        this.lab = lab;
        this.work = work.toAbsolutePath().normalize();
        this.photos = photos.toAbsolutePath().normalize();
        if (!Files.isDirectory(this.photos)) {
            throw new PlabException("bench: photo folder " + this.photos + " not found; run from the project folder"
                    + " (examples/data/photos) or give --photos DIR");
        }
    }

    /** At least one timed cell, after one warm-up cell with l2 unless {@code warmup} is 0. */
    public Bench.Result run(Workload w, int warmup, int repeats) {
        ObjectNode params = prepared(w);
        if (warmup > 0) {
            time(w, params, LossSpec.of("l2"));
        }
        List<Double> runs = new ArrayList<>();
        for (int i = 0; i < Math.max(1, repeats); i++) {
            runs.add(time(w, params, w.spec()));
        }
        return Bench.result(w, runs);
    }

    /** The experiment's parameters for the workload, its data prepared. */
    private ObjectNode prepared(Workload w) {
        int items = (int) w.shape().get(0);
        int size = (int) w.shape().get(2);
        ObjectNode given = JsonNodeFactory.instance.objectNode();
        given.put("size", size);
        if (w.experiment().equals("2afc")) {
            given.put("generateFrom", photos.toString());
            given.put("generateTriplets", items);
        } else {
            given.put("data", photos.resolve("astronaut.png").toString());
            given.put("crops", items);
        }
        Experiment experiment = lab.experiments().require(w.experiment()).extension();
        Path folder = work.resolve("data").resolve(w.experiment() + "-" + items);
        try {
            return experiment.prepare(given, new Preparation(folder, photos::resolve, new PrintWriter(System.err, true)));
        } catch (PlabException e) {
            throw e;
        } catch (Exception e) {
            throw new PlabException("bench " + w.name() + ": preparing the data failed: " + e, e);
        }
    }

    /** One cell's own time, in a fresh results folder sharing the work folder's cache. */
    private double time(Workload w, ObjectNode params, LossSpec loss) {
        Path out = work.resolve("runs").resolve(ResultStore.safe(w.name() + "-" + loss.id()));
        deleteTree(out);
        MatrixSpec spec = MatrixSpec.of("bench", photos, List.of(new MatrixSpec.ExperimentEntry(w.experiment(), w.experiment(), params)),
                MatrixSpec.LossChoice.of(List.of(new MatrixSpec.LossEntry(loss.toString(), loss))));
        try {
            CellOutcome cell = new MatrixRunner(lab, new PrintWriter(new StringWriter(), true)).run(spec,
                    RunConfiguration.of(lab.settings(), out).withRetryFailed(true)
                            .withCacheFolder(work.resolve(RunConfiguration.CACHE))).outcomes().get(0);
            if (cell instanceof CellOutcome.Failed f) {
                throw new PlabException("bench " + w.name() + " with " + loss + ": the cell failed: " + f.error());
            }
            return cell.seconds();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try {
            Folders.deleteTree(dir);
        } catch (IOException e) {
            throw new PlabException("bench: cannot clear " + dir + " (" + e.getMessage() + "); delete it by hand", e);
        }
    }
}
