package org.perceptuallab.host.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.perceptuallab.api.Metric;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.Table;
import org.perceptuallab.host.ConfinedPaths;
import org.perceptuallab.host.matrix.CellRecord;
import org.perceptuallab.host.matrix.CellRecord.Status;
import org.perceptuallab.host.matrix.Provenance;

/**
 * The tables of a matrix run, from the cells' records alone. {@link #csv}: one row per cell and metric.
 * {@link #html}: the failed cells first (in red, with their messages), an overview ranking the losses on each
 * experiment's headline metric, then per experiment a side-by-side view (the same input in one row, one
 * column per loss, best headline first, each picture a link to its full size; pictures of one loss only stay
 * in the details), then the notes, then per
 * experiment the details: a table with the losses as rows, the metrics, the images and the curves as
 * columns, and the tables the experiment described; self-contained (inline CSS, images as files relative to the report), no script,
 * no network. Best values are marked by each metric's declared direction. Records may come from elsewhere (a
 * shared results folder): every string is escaped, and an image or plot is linked only when its path is
 * relative and stays inside the results folder (no URL, no absolute path, no {@code ..} out); others are
 * left out with a warning.
 */
public final class Report {
    private static final String CSS = """
            body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#222;background:#fff}
            h1{font-size:22px;margin:0 0 4px} h2{font-size:18px;margin:28px 0 6px;border-bottom:1px solid #ddd}
            .meta{color:#555;font-size:12px} code{font-size:12px;background:#f4f4f4;padding:1px 3px}
            table{border-collapse:collapse;margin:8px 0} th,td{border:1px solid #ddd;padding:4px 6px;vertical-align:top}
            th{background:#f6f6f6;font-weight:600;text-align:left} td.num{text-align:right;font-variant-numeric:tabular-nums}
            td.best{background:#e7f5e7;font-weight:600} tr.failed td{background:#fdecec} tr.pending td{background:#f3f3f3;color:#666}
            img.thumb{width:128px;max-height:160px;object-fit:contain;object-position:left top;image-rendering:pixelated;display:block} img.plot{width:240px;display:block}
            .badge{display:inline-block;padding:1px 6px;border-radius:3px;font-size:12px;color:#fff;background:#b36b00}
            .err{color:#a00;font-family:monospace;font-size:12px;white-space:pre-wrap;max-width:640px}
            details{margin:4px 0} summary{cursor:pointer;color:#335}
            .failures{border:2px solid #c00;background:#fdecec;padding:4px 12px;margin:12px 0} .failures h2{color:#a00;border:0}
            .gallery h3{font-size:14px;margin:12px 0 4px;color:#444} .cmprow{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-start}
            figure.cmp{margin:0;width:200px;text-align:center;font-size:12px} figure.cmp img{width:200px;max-height:280px;object-fit:contain;image-rendering:pixelated;display:block}
            figure.input{background:#eef3fb;padding:2px} figure.failedcell{background:#fdecec;color:#a00;min-height:60px}
            .note{background:#fff8e0;border-left:4px solid #e0b000;padding:4px 8px;max-width:900px}
            """;

    private Report() {
    }

    /** CSV: experiment, loss, status, metric, value, synthetic, error; one row per cell and metric. */
    public static String csv(List<CellRecord> cells) {
        List<List<String>> rows = new ArrayList<>();
        for (CellRecord c : cells) {
            List<String> prefix = Arrays.asList(c.experiment(), c.key() == null ? null
                    : c.key().path("experiment").asText(), c.loss(), Objects.toString(c.lossSpec(), ""),
                    c.status().name());
            String synthetic = Boolean.toString(c.synthetic());
            if (!c.isDone() || c.metrics().isEmpty()) {
                rows.add(row(prefix, null, null, null, null, synthetic, c.error()));
                continue;
            }
            c.metrics().forEach((name, value) -> {
                CellRecord.MetricType t = c.metricTypes().get(name);
                rows.add(row(prefix, name, value == null ? null : Double.toString(value),
                        t == null ? null : t.kind().name().toLowerCase(Locale.ROOT),
                        t == null ? null : t.better().name().toLowerCase(Locale.ROOT), synthetic, null));
            });
        }
        return Csv.write(List.of("experiment", "experiment_id", "loss", "loss_spec", "status", "metric", "value",
                "kind", "better", "synthetic", "error"), rows);
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
    public static String html(String matrix, List<CellRecord> given, List<String> givenNotes,
                              Map<String, String> experimentNotes, Path output, Consumer<String> warnings) {
        List<String> notes = new ArrayList<>(givenNotes);
        List<CellRecord> cells = given.stream().map(c -> linkable(c, output, dropped -> {
            notes.add(dropped);
            warnings.accept(dropped);
        })).toList();
        Map<String, List<CellRecord>> byExperiment = new LinkedHashMap<>();
        for (CellRecord c : cells) {
            byExperiment.computeIfAbsent(c.experiment(), k -> new ArrayList<>()).add(c);
        }
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(esc("plab report: " + matrix)).append("</title><style>").append(CSS).append("</style></head><body>\n");
        h.append("<h1>Perceptual Lab report: ").append(esc(matrix)).append("</h1>\n");
        Provenance p = cells.stream().map(CellRecord::provenance).filter(Objects::nonNull).findFirst().orElse(null);
        if (!cells.isEmpty()) {
            h.append("<p class=\"meta\">");
            if (p != null) {
                h.append("host ").append(esc(p.hostVersion())).append(" (api ").append(esc(p.apiVersion()))
                        .append(") &middot; ").append(esc(p.engine())).append(", DJL ").append(esc(p.djl()))
                        .append(" on ").append(esc(p.device())).append(" &middot; seed ").append(p.seed())
                        .append(" &middot; ");
            }
            h.append(cells.size()).append(" cells: ").append(count(cells, Status.done))
                    .append(" done, ").append(count(cells, Status.failed)).append(" failed, ")
                    .append(count(cells, Status.running)).append(" running, ").append(count(cells, Status.missing))
                    .append(" missing &middot; results.json and results.csv beside this file</p>\n");
        }
        failures(h, cells);
        Map<String, Headline> headlines = new LinkedHashMap<>();
        byExperiment.forEach((experiment, cs) -> headline(cs).ifPresent(hl -> headlines.put(experiment, hl)));
        overview(h, byExperiment, headlines);
        Map<String, Set<String>> sharedImages = new LinkedHashMap<>();
        for (Map.Entry<String, List<CellRecord>> e : byExperiment.entrySet()) {
            Set<String> shared = shared(e.getValue(), captions(e.getValue()), output);
            sharedImages.put(e.getKey(), shared);
            gallery(h, e.getKey(), e.getValue(), shared, headlines.get(e.getKey()), experimentNotes.get(e.getKey()));
        }
        if (!notes.isEmpty()) {
            h.append("<h2 id=\"notes\">Notes</h2>\n");
            for (String note : notes) {
                h.append("<p class=\"meta\">").append(esc(note)).append("</p>\n");
            }
        }
        for (Map.Entry<String, List<CellRecord>> e : byExperiment.entrySet()) {
            experiment(h, e.getKey(), e.getValue(), sharedImages.get(e.getKey()));
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    /** An experiment's headline metric and its direction. */
    private record Headline(String metric, Metric.Better better) {
        /** The cell's headline value, or null (not done, or no such metric). */
        Double of(CellRecord c) {
            Metric m = c.isDone() ? c.metric(metric) : null;
            return m == null ? null : m.value();
        }
    }

    /** The headline the experiment's results name, where it has a direction to rank by. */
    private static Optional<Headline> headline(List<CellRecord> cells) {
        return cells.stream().filter(c -> c.isDone() && c.headline() != null
                        && c.metricTypes().containsKey(c.headline())
                        && c.metricTypes().get(c.headline()).better() != Metric.Better.NEITHER).findFirst()
                .map(c -> new Headline(c.headline(), c.metricTypes().get(c.headline()).better()));
    }

    /** The failed cells, first and in red: experiment, loss, message, and a link to the experiment's details. */
    private static void failures(StringBuilder h, List<CellRecord> cells) {
        List<CellRecord> failed = cells.stream().filter(c -> c.status() == Status.failed).toList();
        if (failed.isEmpty()) {
            return;
        }
        h.append("<div class=\"failures\" id=\"failed\"><h2>").append(failed.size())
                .append(failed.size() == 1 ? " cell failed" : " cells failed").append("</h2>\n<ul>\n");
        for (CellRecord c : failed) {
            h.append("<li><a href=\"#").append(esc(c.experiment())).append("-details\"><b>").append(esc(c.experiment()))
                    .append(" &times; ").append(esc(c.loss())).append("</b></a>: <span class=\"err\">")
                    .append(esc(c.error())).append("</span></li>\n");
        }
        h.append("</ul></div>\n");
    }

    /**
     * The experiment side by side: its shared input in the first column, then one column per loss (best
     * headline first; failed and unfinished cells last, in red), one row per picture the cells made.
     */
    private static void gallery(StringBuilder h, String name, List<CellRecord> cells, Set<String> shared,
                                Headline headline, String note) {
        boolean synthetic = cells.stream().anyMatch(CellRecord::synthetic);
        h.append("<h2 id=\"").append(esc(name)).append("\">").append(esc(name));
        if (synthetic) {
            h.append(" <span class=\"badge\">synthetic data</span>");
        }
        h.append("</h2>\n");
        if (note != null) {
            h.append("<p class=\"note\">").append(esc(note)).append("</p>\n");
        }
        List<CellRecord> order = new ArrayList<>(cells);
        if (headline != null) {
            Metric.Better better = headline.better();
            order.sort((a, b) -> {
                Double x = headline.of(a);
                Double y = headline.of(b);
                if (x == null || y == null) {
                    return x == null ? (y == null ? 0 : 1) : -1;
                }
                return better == Metric.Better.HIGHER ? Double.compare(y, x) : Double.compare(x, y);
            });
        }
        // A comparison needs two: pictures only one loss makes (its Gram matrices, say) stay in the details.
        List<CellRecord> done = cells.stream().filter(CellRecord::isDone).toList();
        Set<String> rows = captions(cells);
        rows.removeAll(shared);
        rows.removeIf(caption -> done.size() > 1 && done.stream().filter(c -> c.images().containsKey(caption))
                .count() < 2);
        CellRecord withShared = cells.stream().filter(c -> !shared.isEmpty() && c.isDone()
                && c.images().keySet().containsAll(shared)).findFirst().orElse(null);
        if (rows.isEmpty() && withShared == null) {
            h.append("<p class=\"meta\">No pictures yet: the details below list every cell.</p>\n");
            return;
        }
        h.append("<p class=\"meta\">Side by side: per picture, the input first, then one column per loss");
        if (headline != null) {
            h.append(", ordered by ").append(esc(headline.metric()))
                    .append(headline.better() == Metric.Better.HIGHER ? " (higher is better)" : " (lower is better)");
        }
        h.append("; click a picture for its full size.</p>\n<div class=\"gallery\">\n");
        for (String caption : rows.isEmpty() ? List.<String>of("") : rows) {
            if (!caption.isEmpty()) {
                h.append("<h3>").append(esc(caption)).append("</h3>\n");
            }
            h.append("<div class=\"cmprow\">");
            if (withShared != null) {
                for (String input : shared) {
                    h.append(figure("input", withShared.images().get(input), esc(input), input));
                }
            }
            for (CellRecord c : order) {
                Double v = headline == null ? null : headline.of(c);
                String label = "<b>" + esc(c.loss()) + "</b>" + (v == null ? "" : "<br>" + esc(headline.metric()) + " "
                        + esc(number(v)));
                if (!c.isDone()) {
                    h.append("<figure class=\"cmp failedcell\"><figcaption>").append(label).append("<br>")
                            .append(c.status() == Status.failed ? "failed: " + esc(abbreviate(c.error()))
                                    : esc(c.status().name())).append("</figcaption></figure>");
                } else if (!caption.isEmpty()) {
                    h.append(figure("", c.images().get(caption), label, caption + ", " + c.loss()));
                }
            }
            h.append("</div>\n");
        }
        h.append("</div>\n");
    }

    /** A picture linking to its file (or a dash where the cell made none), with its label (HTML) below. */
    private static String figure(String kind, String file, String label, String alt) {
        return "<figure class=\"cmp" + (kind.isEmpty() ? "" : " " + kind) + "\">" + (file == null ? "&ndash;"
                : "<a href=\"" + link(file) + "\"><img src=\"" + link(file) + "\" alt=\"" + esc(alt) + "\"></a>")
                + "<figcaption>" + label + "</figcaption></figure>";
    }

    /** The first line of a message, at most 160 characters (the full text is in the details). */
    private static String abbreviate(String message) {
        String first = message == null ? "" : message.lines().findFirst().orElse("");
        return first.length() <= 160 ? first : first.substring(0, 157) + "...";
    }

    /** Every image caption of the cells, in first-seen order. */
    private static Set<String> captions(List<CellRecord> cells) {
        Set<String> out = new LinkedHashSet<>();
        cells.forEach(c -> out.addAll(c.images().keySet()));
        return out;
    }

    /**
     * The record with the image and plot paths the report may link: relative, inside {@code output}
     * (normalised); any other is left out and {@code dropped} told why.
     */
    private static CellRecord linkable(CellRecord c, Path output, Consumer<String> dropped) {
        String cell = "cell " + c.experiment() + "/" + c.loss();
        Map<String, String> images = new LinkedHashMap<>();
        c.images().forEach((caption, file) -> {
            String inside = inside(output, file, "the image '" + caption + "' of " + cell, dropped);
            if (inside != null) {
                images.put(caption, inside);
            }
        });
        Map<String, CellRecord.Curve> curves = new LinkedHashMap<>();
        c.curves().forEach((name, curve) -> curves.put(name, new CellRecord.Curve(curve.values(),
                curve.plot() == null ? null : inside(output, curve.plot(), "the plot of curve '" + name + "' of "
                        + cell, dropped))));
        return c.withFiles(images, curves);
    }

    /**
     * {@code file} relative to {@code output}, normalised with '/' between names, or null (and {@code dropped}
     * told) where it is no path inside {@code output}: a URL (javascript:, http:), an absolute path, one
     * leading out by {@code ..} or through a link.
     */
    private static String inside(Path output, String file, String what, Consumer<String> dropped) {
        try {
            if (file.contains(":") || file.contains("\\")) {
                // Path.of takes "javascript:x" for a file name; a browser takes it for a URL scheme.
                throw new PlabException(what + " is '" + file + "', which is refused: it holds ':' or '\\' (a URL"
                        + " or a Windows path), not a path inside the results folder");
            }
            Path base = output.toAbsolutePath().normalize();
            return base.relativize(ConfinedPaths.under(base, file, what)).toString()
                    .replace(java.io.File.separatorChar, '/');
        } catch (PlabException refused) {
            dropped.accept("report.html leaves out " + refused.getMessage());
            return null;
        }
    }

    /** A path inside the results folder as an attribute value: percent-encoded (no byte reads as syntax), escaped. */
    private static String link(String inside) {
        StringBuilder href = new StringBuilder();
        for (byte b : inside.getBytes(StandardCharsets.UTF_8)) {
            char ch = (char) (b & 0xff);
            boolean plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
                    || "-._~/".indexOf(ch) >= 0;
            href.append(plain ? String.valueOf(ch) : String.format(Locale.ROOT, "%%%02X", b & 0xff));
        }
        return esc(href.toString());
    }

    /** How many of the cells have this status. */
    public static long count(List<CellRecord> cells, Status status) {
        return cells.stream().filter(c -> c.status() == status).count();
    }

    /**
     * One row per loss, the headline metric of each experiment (named by the experiment's results) with
     * the loss's rank in it by the metric's direction, and the mean rank; rows by mean rank. Experiments
     * whose results name no ranked headline are left out.
     */
    private static void overview(StringBuilder h, Map<String, List<CellRecord>> byExperiment,
                                 Map<String, Headline> headlines) {
        Map<String, String> metricOf = new LinkedHashMap<>();
        Map<String, Metric.Better> betterOf = new LinkedHashMap<>();
        headlines.forEach((experiment, hl) -> {
            metricOf.put(experiment, hl.metric());
            betterOf.put(experiment, hl.better());
        });
        if (metricOf.isEmpty()) {
            return;
        }
        Map<String, Map<String, Double>> values = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> ranks = new LinkedHashMap<>();
        for (String experiment : metricOf.keySet()) {
            Map<String, Double> v = new LinkedHashMap<>();
            for (CellRecord c : byExperiment.get(experiment)) {
                Metric m = c.isDone() ? c.metric(metricOf.get(experiment)) : null;
                if (m != null) {
                    v.put(c.loss(), m.value());
                }
            }
            values.put(experiment, v);
            Metric.Better better = betterOf.get(experiment);
            Map<String, Integer> r = new LinkedHashMap<>();
            v.forEach((loss, x) -> r.put(loss, 1 + (int) v.values().stream()
                    .filter(o -> new Metric(o, better, Metric.Kind.VALUE).isBetter(o, x)).count()));
            ranks.put(experiment, r);
        }
        Set<String> losses = new LinkedHashSet<>();
        byExperiment.values().forEach(cs -> cs.forEach(c -> losses.add(c.loss())));
        Map<String, Double> meanRank = new LinkedHashMap<>();
        for (String loss : losses) {
            meanRank.put(loss, ranks.values().stream().filter(r -> r.containsKey(loss)).mapToInt(r -> r.get(loss))
                    .average().orElse(Double.NaN));
        }
        // Mean ranks compare only over the same experiments: losses ranked in more experiments come first.
        Map<String, Long> ranked = new LinkedHashMap<>();
        losses.forEach(loss -> ranked.put(loss, ranks.values().stream().filter(r -> r.containsKey(loss)).count()));
        List<String> order = new ArrayList<>(losses);
        order.sort(Comparator.comparing((String loss) -> -ranked.get(loss)).thenComparing(loss ->
                Double.isNaN(meanRank.get(loss)) ? Double.MAX_VALUE : meanRank.get(loss)));
        h.append("<h2 id=\"overview\">Overview</h2>\n<p class=\"meta\">Each experiment's headline metric (rank among"
                + " the losses in brackets, 1 = best); rows by the number of experiments a loss ran in, then by mean"
                + " rank.</p>\n<table>\n<tr><th>loss</th>");
        metricOf.forEach((experiment, metric) -> h.append("<th><a href=\"#").append(esc(experiment)).append("\">")
                .append(esc(experiment)).append("</a><br>").append(esc(metric))
                .append(betterOf.get(experiment) == Metric.Better.HIGHER ? " &uarr;" : " &darr;").append("</th>"));
        h.append("<th>mean rank</th></tr>\n");
        for (String loss : order) {
            h.append("<tr><td><b>").append(esc(loss)).append("</b></td>");
            for (String experiment : metricOf.keySet()) {
                Double v = values.get(experiment).get(loss);
                Integer r = ranks.get(experiment).get(loss);
                h.append(r != null && r == 1 ? "<td class=\"num best\">" : "<td class=\"num\">")
                        .append(v == null ? "&ndash;" : esc(number(v)) + " (" + r + ")").append("</td>");
            }
            h.append("<td class=\"num\">").append(number(meanRank.get(loss))).append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static void experiment(StringBuilder h, String name, List<CellRecord> cells, Set<String> shared) {
        Provenance prov = cells.stream().map(CellRecord::provenance).filter(Objects::nonNull).findFirst().orElse(null);
        boolean synthetic = cells.stream().anyMatch(CellRecord::synthetic);
        h.append("<h2 id=\"").append(esc(name)).append("-details\">").append(esc(name)).append(": details</h2>\n")
                .append("<p class=\"meta\">");
        if (prov != null) {
            h.append("experiment <code>").append(esc(prov.experiment().id())).append("</code> (")
                    .append(esc(prov.experiment().plugin())).append(") params <code>")
                    .append(esc(String.valueOf(prov.experiment().params()))).append("</code>");
            JsonNode data = prov.data();
            if (data != null) {
                String sha = data.path("sha256").asText();
                h.append("<br>data <code>").append(esc(data.path("path").asText())).append("</code> sha256 <code>")
                        .append(esc(sha.substring(0, Math.min(16, sha.length())))).append("</code>");
            }
        }
        if (synthetic) {
            h.append("<br>Generated data, not the published set: figures measure agreement with a known ordering"
                    + " of the generated cases (the cells' details say how they were made).");
        }
        h.append("</p>\n");
        Set<String> metrics = new LinkedHashSet<>();
        Set<String> images = new LinkedHashSet<>();
        Set<String> curves = new LinkedHashSet<>();
        for (CellRecord c : cells) {
            metrics.addAll(c.metrics().keySet());
            images.addAll(c.images().keySet());
            curves.addAll(c.curves().keySet());
        }
        images.removeAll(shared); // shown once, in the side-by-side view
        Map<String, Double> best = best(cells, metrics);
        h.append("<table>\n<tr><th>loss</th>");
        metrics.forEach(m -> h.append("<th>").append(esc(m)).append(arrow(cells, m)).append("</th>"));
        images.forEach(i -> h.append("<th>").append(esc(i)).append("</th>"));
        curves.forEach(c -> h.append("<th>").append(esc(c)).append(" curve</th>"));
        h.append("<th>time</th></tr>\n");
        int columns = metrics.size() + images.size() + curves.size();
        for (CellRecord c : cells) {
            boolean pending = c.status() == Status.running || c.status() == Status.missing;
            h.append(pending ? "<tr class=\"pending\">" : !c.isDone() ? "<tr class=\"failed\">" : "<tr>")
                    .append("<td><b>").append(esc(c.loss())).append("</b><details><summary>provenance</summary><code>")
                    .append(esc(Objects.toString(c.lossSpec(), ""))).append("</code><br>")
                    .append(esc(c.provenance() == null ? "" : c.provenance().loss().plugin()))
                    .append("</details></td>");
            if (pending) {
                CellRecord.Running r = c.running();
                h.append("<td colspan=\"").append(Math.max(1, columns)).append("\">").append(r != null
                        ? "<b>running</b> since " + esc(r.started()) + " on " + esc(r.host()) + " (process " + r.pid()
                        + ", shard " + esc(r.shard()) + "; a killed process leaves this mark until the cell runs again)"
                        : "<b>missing</b>: not run yet" + (c.shard() != null ? " (shard " + c.shard() + ")" : ""))
                        .append("</td>");
            } else if (!c.isDone()) {
                h.append("<td colspan=\"").append(Math.max(1, columns)).append("\"><b>failed:</b> <div class=\"err\">")
                        .append(esc(c.error())).append("</div>").append(c.curves().isEmpty() ? ""
                                : curveLinks(c)).append("</td>");
            } else {
                for (String m : metrics) {
                    Double v = c.metrics().get(m);
                    boolean isBest = v != null && best.containsKey(m) && v.doubleValue() == best.get(m);
                    h.append(isBest ? "<td class=\"num best\">" : "<td class=\"num\">")
                            .append(v == null ? "&ndash;" : esc(number(v))).append("</td>");
                }
                for (String i : images) {
                    String file = c.images().get(i);
                    h.append("<td>").append(file == null ? "" : "<a href=\"" + link(file)
                            + "\"><img class=\"thumb\" src=\"" + link(file) + "\" alt=\"" + esc(i) + "\"></a>")
                            .append("</td>");
                }
                for (String cv : curves) {
                    CellRecord.Curve curve = c.curves().get(cv);
                    h.append("<td>").append(curve == null || curve.plot() == null ? ""
                            : "<a href=\"" + link(curve.plot()) + "\"><img class=\"plot\" src=\"" + link(curve.plot())
                            + "\" alt=\"" + esc(cv) + " curve\"></a>").append("</td>");
                }
            }
            h.append("<td class=\"num\">").append(c.provenance() != null ? number(c.seconds()) + " s" : "&ndash;")
                    .append("</td></tr>\n");
        }
        h.append("</table>\n");
        tables(h, cells);
    }

    /** The curves a failed cell streamed before it failed, as links. */
    private static String curveLinks(CellRecord c) {
        StringBuilder out = new StringBuilder("curves so far: ");
        c.curves().forEach((name, curve) -> out.append(curve.plot() == null ? esc(name) : "<a href=\""
                + link(curve.plot()) + "\">" + esc(name) + "</a>").append(" (").append(curve.values().size())
                .append(" points) "));
        return out.toString();
    }

    /** An up or down arrow after a metric's heading, from its declared direction. */
    private static String arrow(List<CellRecord> cells, String metric) {
        Metric.Better better = cells.stream().map(c -> c.metricTypes().get(metric)).filter(Objects::nonNull)
                .map(CellRecord.MetricType::better).findFirst().orElse(Metric.Better.NEITHER);
        return switch (better) {
            case HIGHER -> " &uarr;";
            case LOWER -> " &darr;";
            case NEITHER -> "";
        };
    }

    /**
     * The experiment's own tables, one per title: the rows of every finished cell with the loss in front,
     * so the losses compare row by row.
     */
    private static void tables(StringBuilder h, List<CellRecord> cells) {
        Map<String, List<String>> columnsOf = new LinkedHashMap<>();
        for (CellRecord c : cells) {
            if (c.isDone()) {
                c.tables().forEach(t -> columnsOf.putIfAbsent(t.title(), t.columns()));
            }
        }
        for (Map.Entry<String, List<String>> t : columnsOf.entrySet()) {
            h.append("<details open><summary>").append(esc(t.getKey())).append("</summary><table>\n<tr><th>loss</th>");
            t.getValue().forEach(col -> h.append("<th>").append(esc(col)).append("</th>"));
            h.append("</tr>\n");
            for (CellRecord c : cells) {
                for (Table table : c.isDone() ? c.tables() : List.<Table>of()) {
                    if (!Objects.equals(table.title(), t.getKey())) {
                        continue;
                    }
                    for (List<Object> row : table.rows()) {
                        h.append("<tr><td>").append(esc(c.loss())).append("</td>");
                        for (Object cell : row) {
                            h.append(cell instanceof Number n ? "<td class=\"num\">" + esc(number(n.doubleValue()))
                                    : "<td>" + esc(String.valueOf(cell))).append("</td>");
                        }
                        h.append("</tr>\n");
                    }
                }
            }
            h.append("</table></details>\n");
        }
    }

    /** Captions whose file has the same bytes in every finished cell (the targets, say): shown once. */
    private static Set<String> shared(List<CellRecord> cells, Set<String> captions, Path output) {
        Set<String> out = new LinkedHashSet<>();
        List<CellRecord> done = cells.stream().filter(CellRecord::isDone).toList();
        if (done.size() < 2) {
            return out;
        }
        for (String caption : captions) {
            byte[] first = null;
            boolean same = true;
            for (CellRecord c : done) {
                byte[] bytes = read(output, c.images().get(caption));
                if (bytes == null || (first != null && !Arrays.equals(first, bytes))) {
                    same = false;
                    break;
                }
                first = bytes;
            }
            if (same) {
                out.add(caption);
            }
        }
        return out;
    }

    private static byte[] read(Path output, String file) {
        if (file == null) {
            return null;
        }
        try {
            return Files.readAllBytes(output.resolve(file));
        } catch (IOException e) {
            return null;
        }
    }

    /** The best value of each metric with a direction, among the finished cells. */
    private static Map<String, Double> best(List<CellRecord> cells, Set<String> metrics) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String m : metrics) {
            Double bestValue = null;
            for (CellRecord c : cells) {
                Metric metric = c.isDone() ? c.metric(m) : null;
                if (metric != null && metric.better() != Metric.Better.NEITHER
                        && (bestValue == null || metric.isBetter(metric.value(), bestValue))) {
                    bestValue = metric.value();
                }
            }
            if (bestValue != null) {
                out.put(m, bestValue);
            }
        }
        return out;
    }

    private static String number(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.4g", v);
    }

    private static String esc(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}
