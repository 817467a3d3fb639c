package org.perceptuallab.host.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.ConfinedPaths;
import org.perceptuallab.host.matrix.ResultStore;
import org.perceptuallab.host.matrix.ResultsFolder;
import org.perceptuallab.host.report.ReportModel;
import org.perceptuallab.host.run.CellOutcome;
import org.perceptuallab.runtime.cell.MetricsFile;

/**
 * The live view of running studies: the results folders {@code plab matrix} writes (shards included), read-only,
 * as a page that updates as cells finish. The page ({@code /live}) loads {@code /live/state}: per folder the
 * {@link ReportModel} the static report renders (overview, galleries, failures, details), the progress per
 * experiment, and each cell's series as its metrics file holds them now. A {@link FolderWatch} on the folders
 * bumps a version; the open pages ask for it ({@code /live/version}, a few bytes, once a second) and load the
 * state again only when it moved. Files (images) are served from {@code /live/STUDY/files/PATH}, only images and only inside the folder.
 */
public final class LiveView implements AutoCloseable {
    /** At most this many points of a series travel to the page (every k-th point of a longer one). */
    static final int MAX_POINTS = 500;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> IMAGE_TYPES = Map.of("png", "image/png", "jpg", "image/jpeg",
            "jpeg", "image/jpeg", "gif", "image/gif", "webp", "image/webp");

    private final List<Path> folders;
    private final AtomicLong version = new AtomicLong();
    private final FolderWatch watch;

    private LiveView(List<Path> folders) throws IOException {
        this.folders = folders;
        this.watch = new FolderWatch(folders, this::changed);
    }

    /** The view of {@code folders}, each a results folder of {@code plab matrix} (refused otherwise). */
    public static LiveView of(List<Path> folders) {
        List<Path> roots = new ArrayList<>();
        for (Path f : folders) {
            Path root = f.toAbsolutePath().normalize();
            if (!Files.isDirectory(root.resolve("cells")) && !Files.isDirectory(root.resolve("plans"))) {
                throw new PlabException(root + " is not a results folder (it has no cells/ and no plans/); give the"
                        + " --out folder of 'plab matrix'");
            }
            roots.add(root);
        }
        try {
            return new LiveView(List.copyOf(roots));
        } catch (IOException e) {
            throw new PlabException("cannot watch " + roots + ": " + e.getMessage(), e);
        }
    }

    /** Adds the view's routes. */
    void routes(RoutesConfig routes) {
        routes.get("/", ctx -> ctx.redirect("/live"));
        routes.get("/live", ctx -> WebResources.send(ctx, "live.html", "text/html"));
        routes.get("/static/live.js", ctx -> WebResources.send(ctx, "live.js", "text/javascript"));
        routes.get("/live/state", this::state);
        routes.get("/live/{study}/files/<path>", this::file);
        routes.get("/live/version", ctx -> ctx.header("Cache-Control", "no-store").contentType("application/json")
                .result("{\"version\":" + version.get() + "}"));
    }

    private void changed() {
        version.incrementAndGet();
    }

    private void state(Context ctx) throws IOException {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("version", version.get());
        ArrayNode studies = body.putArray("studies");
        for (int i = 0; i < folders.size(); i++) {
            studies.add(study(i, folders.get(i)));
        }
        ctx.header("Cache-Control", "no-store");
        ctx.contentType("application/json").result(JSON.writeValueAsBytes(body));
    }

    /** One folder's state now: its report model, progress per experiment, and every cell's series so far. */
    static ObjectNode study(int id, Path folder) throws IOException {
        ObjectNode out = JsonNodeFactory.instance.objectNode().put("id", id).put("folder", folder.toString());
        ResultsFolder.View view;
        try {
            view = ResultsFolder.read(folder);
        } catch (PlabException e) {
            return out.put("error", e.getMessage());
        }
        List<CellOutcome> cells = view.cells();
        out.set("model", JSON.valueToTree(ReportModel.of(view.matrix(), cells, view.notes(), view.experimentNotes(),
                folder, warning -> { })));
        Map<String, List<CellOutcome>> byExperiment = new LinkedHashMap<>();
        cells.forEach(c -> byExperiment.computeIfAbsent(c.experiment(), k -> new ArrayList<>()).add(c));
        ArrayNode progress = out.putArray("progress");
        byExperiment.forEach((experiment, cs) -> {
            ObjectNode p = progress.addObject().put("experiment", experiment).put("cells", cs.size());
            for (CellOutcome.Status s : CellOutcome.Status.values()) {
                p.put(s.name(), ReportModel.count(cs, s));
            }
        });
        List<String> names = ReportModel.names(cells);
        ArrayNode series = out.putArray("cells");
        for (int i = 0; i < cells.size(); i++) {
            CellOutcome c = cells.get(i);
            ObjectNode cell = series.addObject().put("experiment", c.experiment()).put("name", names.get(i))
                    .put("status", c.status().name());
            Map<String, List<Double>> streamed = new LinkedHashMap<>(MetricsFile.read(view.cellDirs().get(i).resolve(ResultStore.STATE)
                    .resolve(MetricsFile.NAME)));
            if (streamed.isEmpty()) { // a cell run before metrics were streamed keeps its curves in its record
                c.curves().forEach((name, curve) -> streamed.put(name, curve.values()));
            }
            ObjectNode curves = cell.putObject("series");
            streamed.forEach((name, values) -> curves.set(name, thinned(values)));
        }
        return out;
    }

    /** {@code {"every": k, "values": [...]}}: every k-th point, at most {@link #MAX_POINTS}; NaN and infinity null. */
    private static ObjectNode thinned(List<Double> values) {
        int every = Math.max(1, (values.size() + MAX_POINTS - 1) / MAX_POINTS);
        ObjectNode out = JsonNodeFactory.instance.objectNode().put("every", every).put("count", values.size());
        ArrayNode points = out.putArray("values");
        for (int i = 0; i < values.size(); i += every) {
            double v = values.get(i);
            if (Double.isFinite(v)) {
                points.add(v);
            } else {
                points.addNull();
            }
        }
        return out;
    }

    /** An image of a study, by its path inside the folder (as the model links it). */
    private void file(Context ctx) throws IOException {
        String study = ctx.pathParam("study");
        if (!study.matches("[0-9]{1,4}") || Integer.parseInt(study) >= folders.size()) {
            throw new HttpResponseException(404, "no study " + study + "; the studies are 0 to " + (folders.size() - 1));
        }
        String path = ctx.pathParam("path");
        String extension = path.substring(path.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        String type = IMAGE_TYPES.get(extension);
        Path file = ConfinedPaths.under(folders.get(Integer.parseInt(study)), path, "the file asked for");
        if (type == null || !Files.isRegularFile(file)) {
            throw new HttpResponseException(404, "no image '" + path + "' in study " + study);
        }
        ctx.header("Cache-Control", "no-cache");
        ctx.contentType(type).result(Files.readAllBytes(file));
    }

    @Override
    public void close() {
        watch.close();
    }
}
