package org.perceptuallab.host.report;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.perceptuallab.host.run.CellOutcome.Done;
import org.perceptuallab.host.run.CellOutcome.Failed;
import org.perceptuallab.host.run.CellOutcome;

/**
 * The renderers of a run's outcomes. {@link #csv}: one row per cell and metric. {@link #html}: the
 * {@link ReportModel} through the {@code report.jte} template: the failed cells first (in red, with their
 * messages), an overview ranking the losses on each experiment's headline metric, then per experiment a
 * side-by-side view (the same input in one row, one column per loss, best headline first, each picture a link
 * to its full size), then the notes, then per experiment the details; self-contained (inline CSS, images as
 * files relative to the report), no script, no network. The template escapes every value it prints.
 */
public final class Report {
    /** The report's templates, compiled into the host at build time (src/main/jte). */
    private static final TemplateEngine TEMPLATES = TemplateEngine.createPrecompiled(ContentType.Html);

    private Report() {
    }

    /** CSV: experiment, loss, status, metric, value, synthetic, error, seed; one row per cell and metric. */
    public static String csv(List<CellOutcome> cells) {
        List<List<String>> rows = new ArrayList<>();
        for (CellOutcome c : cells) {
            List<String> prefix = Arrays.asList(c.experiment(), c.key() == null ? null
                    : c.key().path("experiment").asText(), c.loss(), Objects.toString(ReportModel.lossSpec(c), ""),
                    c.status().name());
            String seed = Objects.toString(ReportModel.seed(c), null);
            String synthetic = Boolean.toString(c instanceof Done x && x.synthetic());
            if (!(c instanceof Done d) || d.metrics().isEmpty()) {
                rows.add(row(prefix, null, null, null, null, synthetic, c instanceof Failed f ? f.error() : null, seed));
                continue;
            }
            d.metrics().forEach((name, value) -> {
                CellOutcome.MetricType t = d.metricTypes().get(name);
                rows.add(row(prefix, name, value == null ? null : Double.toString(value),
                        t == null ? null : t.kind().name().toLowerCase(Locale.ROOT),
                        t == null ? null : t.better().name().toLowerCase(Locale.ROOT), synthetic, null, seed));
            });
        }
        return Csv.write(List.of("experiment", "experiment_id", "loss", "loss_spec", "status", "metric", "value",
                "kind", "better", "synthetic", "error", "seed"), rows);
    }

    private static List<String> row(List<String> prefix, String... rest) {
        List<String> out = new ArrayList<>(prefix);
        out.addAll(Arrays.asList(rest));
        return out;
    }

    /**
     * The HTML report; image paths in the cells are relative to {@code output}, where it is written. Each
     * image or plot left out (its path leads elsewhere) is a note in the report and a line to {@code warnings}.
     */
    public static String html(String matrix, List<CellOutcome> cells, List<String> notes,
                              Map<String, String> experimentNotes, Path output, Consumer<String> warnings) {
        return html(ReportModel.of(matrix, cells, notes, experimentNotes, output, warnings));
    }

    /** The HTML of a report model. */
    public static String html(ReportModel model) {
        StringOutput out = new StringOutput();
        TEMPLATES.render("report.jte", model, out);
        return out.toString();
    }
}
