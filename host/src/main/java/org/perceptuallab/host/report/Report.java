package org.perceptuallab.host.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The tables of a matrix run. {@link #csv}: one row per cell and metric. {@link #html}: per experiment a
 * table with the losses as rows, the metrics, the images and the loss curves as columns; self-contained
 * (inline CSS, images as files relative to the report), no script, no network.
 */
public final class Report {
    private static final String CSS = """
            body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#222;background:#fff}
            h1{font-size:22px;margin:0 0 4px} h2{font-size:18px;margin:28px 0 6px;border-bottom:1px solid #ddd}
            .meta{color:#555;font-size:12px} code{font-size:12px;background:#f4f4f4;padding:1px 3px}
            table{border-collapse:collapse;margin:8px 0} th,td{border:1px solid #ddd;padding:4px 6px;vertical-align:top}
            th{background:#f6f6f6;font-weight:600;text-align:left} td.num{text-align:right;font-variant-numeric:tabular-nums}
            td.best{background:#e7f5e7;font-weight:600} tr.failed td{background:#fdecec} tr.pending td{background:#f3f3f3;color:#666}
            img.shared{max-width:100%;min-width:128px;image-rendering:pixelated} img.thumb{width:128px;max-height:160px;object-fit:contain;object-position:left top;image-rendering:pixelated;display:block} img.plot{width:240px;display:block}
            .badge{display:inline-block;padding:1px 6px;border-radius:3px;font-size:12px;color:#fff;background:#b36b00}
            .err{color:#a00;font-family:monospace;font-size:12px;white-space:pre-wrap;max-width:640px}
            details{margin:4px 0} summary{cursor:pointer;color:#335}
            """;

    private Report() {
    }

    /** CSV: experiment, loss, status, metric, value, synthetic, error; one row per cell and metric. */
    public static String csv(List<ObjectNode> cells) {
        StringBuilder out = new StringBuilder("experiment,experiment_id,loss,loss_spec,status,metric,value,synthetic,error\n");
        for (ObjectNode c : cells) {
            String prefix = String.join(",", quote(c.path("experiment").asText()),
                    quote(c.path("key").path("experiment").asText()), quote(c.path("loss").asText()),
                    quote(c.path("provenance").path("loss").path("spec").toString()), c.path("status").asText());
            JsonNode metrics = c.path("metrics");
            if (!"done".equals(c.path("status").asText()) || metrics.isEmpty()) {
                out.append(prefix).append(",,,").append(c.path("synthetic").asBoolean()).append(',')
                        .append(quote(c.path("error").asText())).append('\n');
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = metrics.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> m = it.next();
                out.append(prefix).append(',').append(quote(m.getKey())).append(',')
                        .append(m.getValue().isNull() ? "" : Double.toString(m.getValue().asDouble())).append(',')
                        .append(c.path("synthetic").asBoolean()).append(",\n");
            }
        }
        return out.toString();
    }

    /** The HTML report; image paths in the cells are relative to {@code output}, where it is written. */
    public static String html(String matrix, List<ObjectNode> cells, List<String> notes, Path output) {
        Map<String, List<ObjectNode>> byExperiment = new LinkedHashMap<>();
        for (ObjectNode c : cells) {
            byExperiment.computeIfAbsent(c.path("experiment").asText(), k -> new ArrayList<>()).add(c);
        }
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(esc("plab report: " + matrix)).append("</title><style>").append(CSS).append("</style></head><body>\n");
        h.append("<h1>Perceptual Lab report: ").append(esc(matrix)).append("</h1>\n");
        ObjectNode any = cells.isEmpty() ? null : cells.get(0);
        if (any != null) {
            JsonNode p = any.path("provenance");
            h.append("<p class=\"meta\">host ").append(esc(p.path("hostVersion").asText())).append(" &middot; ")
                    .append(esc(p.path("backend").asText("?"))).append(" &middot; seed ").append(p.path("seed").asText())
                    .append(" &middot; ").append(cells.size()).append(" cells: ").append(count(cells, "done"))
                    .append(" done, ").append(count(cells, "failed")).append(" failed, ").append(count(cells, "running"))
                    .append(" running, ").append(count(cells, "missing"))
                    .append(" missing &middot; results.json and results.csv beside this file</p>\n");
        }
        for (String note : notes) {
            h.append("<p class=\"meta\">").append(esc(note)).append("</p>\n");
        }
        overview(h, byExperiment);
        for (Map.Entry<String, List<ObjectNode>> e : byExperiment.entrySet()) {
            experiment(h, e.getKey(), e.getValue(), output);
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    /** How many of the cells have this status (done, failed, running, missing). */
    public static long count(List<ObjectNode> cells, String status) {
        return cells.stream().filter(c -> status.equals(c.path("status").asText())).count();
    }

    /**
     * One row per loss, the headline metric of each experiment (named by the experiment's result in
     * {@code details.headline}: {@code {metric, better: higher|lower}}) with the loss's rank in it, and the
     * mean rank; rows by mean rank. Experiments that name no headline are left out.
     */
    private static void overview(StringBuilder h, Map<String, List<ObjectNode>> byExperiment) {
        Map<String, String> metricOf = new LinkedHashMap<>();
        Map<String, Boolean> higherOf = new LinkedHashMap<>();
        for (Map.Entry<String, List<ObjectNode>> e : byExperiment.entrySet()) {
            e.getValue().stream().filter(c -> "done".equals(c.path("status").asText()))
                    .map(c -> c.path("details").path("headline")).filter(JsonNode::isObject).findFirst()
                    .ifPresent(hl -> {
                        metricOf.put(e.getKey(), hl.path("metric").asText());
                        higherOf.put(e.getKey(), !"lower".equals(hl.path("better").asText()));
                    });
        }
        if (metricOf.isEmpty()) {
            return;
        }
        Map<String, Map<String, Double>> values = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> ranks = new LinkedHashMap<>();
        for (String experiment : metricOf.keySet()) {
            Map<String, Double> v = new LinkedHashMap<>();
            for (ObjectNode c : byExperiment.get(experiment)) {
                JsonNode m = c.path("metrics").get(metricOf.get(experiment));
                if ("done".equals(c.path("status").asText()) && m != null && m.isNumber()) {
                    v.put(c.path("loss").asText(), m.asDouble());
                }
            }
            values.put(experiment, v);
            boolean higher = higherOf.get(experiment);
            Map<String, Integer> r = new LinkedHashMap<>();
            v.forEach((loss, x) -> r.put(loss, 1 + (int) v.values().stream().filter(o -> higher ? o > x : o < x).count()));
            ranks.put(experiment, r);
        }
        Set<String> losses = new LinkedHashSet<>();
        byExperiment.values().forEach(cs -> cs.forEach(c -> losses.add(c.path("loss").asText())));
        Map<String, Double> meanRank = new LinkedHashMap<>();
        for (String loss : losses) {
            meanRank.put(loss, ranks.values().stream().filter(r -> r.containsKey(loss)).mapToInt(r -> r.get(loss))
                    .average().orElse(Double.NaN));
        }
        List<String> order = new ArrayList<>(losses);
        order.sort((a, b) -> Double.compare(Double.isNaN(meanRank.get(a)) ? Double.MAX_VALUE : meanRank.get(a),
                Double.isNaN(meanRank.get(b)) ? Double.MAX_VALUE : meanRank.get(b)));
        h.append("<h2 id=\"overview\">Overview</h2>\n<p class=\"meta\">Each experiment's headline metric (rank among"
                + " the losses in brackets, 1 = best); rows by mean rank.</p>\n<table>\n<tr><th>loss</th>");
        metricOf.forEach((experiment, metric) -> h.append("<th><a href=\"#").append(esc(experiment)).append("\">")
                .append(esc(experiment)).append("</a><br>").append(esc(metric)).append(higherOf.get(experiment)
                        ? " &uarr;" : " &darr;").append("</th>"));
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

    private static void experiment(StringBuilder h, String name, List<ObjectNode> cells, Path output) {
        ObjectNode first = cells.get(0);
        JsonNode prov = first.path("provenance");
        boolean synthetic = cells.stream().anyMatch(c -> c.path("synthetic").asBoolean());
        h.append("<h2 id=\"").append(esc(name)).append("\">").append(esc(name));
        if (synthetic) {
            h.append(" <span class=\"badge\">synthetic data</span>");
        }
        h.append("</h2>\n<p class=\"meta\">experiment <code>").append(esc(prov.path("experiment").path("id").asText()))
                .append("</code> (").append(esc(prov.path("experiment").path("plugin").asText())).append(") params <code>")
                .append(esc(prov.path("experiment").path("params").toString())).append("</code>");
        if (prov.has("data")) {
            h.append("<br>data <code>").append(esc(prov.path("data").path("path").asText())).append("</code> sha256 <code>")
                    .append(esc(prov.path("data").path("sha256").asText().substring(0,
                            Math.min(16, prov.path("data").path("sha256").asText().length())))).append("</code>");
        }
        if (synthetic) {
            JsonNode model = cells.stream().filter(c -> c.path("details").has("synthetic")).findFirst()
                    .map(c -> c.path("details").path("synthetic")).orElse(null);
            h.append("<br>Generated data, not the published human judgements: scores measure agreement with a"
                    + " known distortion ordering");
            if (model != null && model.has("judgeModel")) {
                h.append(" (").append(esc(model.path("judgeModel").asText())).append(")");
            }
            h.append('.');
        }
        h.append("</p>\n");
        Set<String> metrics = new LinkedHashSet<>();
        Set<String> images = new LinkedHashSet<>();
        Set<String> curves = new LinkedHashSet<>();
        for (ObjectNode c : cells) {
            c.path("metrics").fieldNames().forEachRemaining(metrics::add);
            c.path("images").fieldNames().forEachRemaining(images::add);
            c.path("curves").fieldNames().forEachRemaining(curves::add);
        }
        Set<String> shared = shared(cells, images, output);
        for (String i : shared) {
            String file = cells.stream().filter(c -> c.path("images").has(i)).findFirst()
                    .map(c -> c.path("images").path(i).asText()).orElseThrow();
            h.append("<p><b>").append(esc(i)).append("</b> (the same for every loss)<br><a href=\"").append(esc(file))
                    .append("\"><img class=\"shared\" src=\"").append(esc(file)).append("\" alt=\"").append(esc(i))
                    .append("\"></a></p>\n");
        }
        images.removeAll(shared);
        Map<String, Double> best = best(cells, metrics);
        h.append("<table>\n<tr><th>loss</th>");
        metrics.forEach(m -> h.append("<th>").append(esc(m)).append("</th>"));
        images.forEach(i -> h.append("<th>").append(esc(i)).append("</th>"));
        curves.forEach(c -> h.append("<th>").append(esc(c)).append(" curve</th>"));
        h.append("<th>time</th></tr>\n");
        int columns = metrics.size() + images.size() + curves.size();
        for (ObjectNode c : cells) {
            String status = c.path("status").asText();
            boolean failed = !"done".equals(status);
            boolean pending = "running".equals(status) || "missing".equals(status);
            h.append(pending ? "<tr class=\"pending\">" : failed ? "<tr class=\"failed\">" : "<tr>").append("<td><b>")
                    .append(esc(c.path("loss").asText()))
                    .append("</b><details><summary>provenance</summary><code>")
                    .append(esc(c.path("provenance").path("loss").path("spec").toString())).append("</code><br>")
                    .append(esc(c.path("provenance").path("loss").path("plugin").asText())).append("</details></td>");
            if (pending) {
                JsonNode r = c.path("running");
                h.append("<td colspan=\"").append(Math.max(1, columns)).append("\">").append("running".equals(status)
                        ? "<b>running</b> since " + esc(r.path("started").asText()) + " on " + esc(r.path("host").asText())
                        + " (process " + r.path("pid").asText() + ", shard " + esc(r.path("shard").asText())
                        + "; a killed process leaves this mark until the cell runs again)"
                        : "<b>missing</b>: not run yet" + (c.has("shard") ? " (shard " + c.path("shard").asInt() + ")" : ""))
                        .append("</td>");
            } else if (failed) {
                h.append("<td colspan=\"").append(Math.max(1, columns)).append("\"><b>failed:</b> <div class=\"err\">")
                        .append(esc(c.path("error").asText())).append("</div></td>");
            } else {
                for (String m : metrics) {
                    JsonNode v = c.path("metrics").get(m);
                    boolean isBest = v != null && v.isNumber() && best.containsKey(m) && v.asDouble() == best.get(m);
                    h.append(isBest ? "<td class=\"num best\">" : "<td class=\"num\">")
                            .append(v == null || v.isNull() ? "&ndash;" : esc(number(v.asDouble()))).append("</td>");
                }
                for (String i : images) {
                    String file = c.path("images").path(i).asText(null);
                    h.append("<td>").append(file == null ? "" : "<a href=\"" + esc(file) + "\"><img class=\"thumb\" src=\""
                            + esc(file) + "\" alt=\"" + esc(i) + "\"></a>").append("</td>");
                }
                for (String cv : curves) {
                    String file = c.path("curves").path(cv).path("plot").asText(null);
                    h.append("<td>").append(file == null ? "" : "<a href=\"" + esc(file) + "\"><img class=\"plot\" src=\""
                            + esc(file) + "\" alt=\"" + esc(cv) + " curve\"></a>").append("</td>");
                }
            }
            h.append("<td class=\"num\">").append(c.path("provenance").has("seconds")
                    ? number(c.path("provenance").path("seconds").asDouble()) + " s" : "&ndash;").append("</td></tr>\n");
        }
        h.append("</table>\n");
        categoryTable(h, cells);
    }

    /** Captions whose file has the same bytes in every finished cell (the targets, say): shown once. */
    private static Set<String> shared(List<ObjectNode> cells, Set<String> captions, Path output) {
        Set<String> out = new LinkedHashSet<>();
        List<ObjectNode> done = cells.stream().filter(c -> "done".equals(c.path("status").asText())).toList();
        if (done.size() < 2) {
            return out;
        }
        for (String caption : captions) {
            byte[] first = null;
            boolean same = true;
            for (ObjectNode c : done) {
                byte[] bytes = read(output, c.path("images").path(caption).asText(null));
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

    /** 2AFC-style per-category details (score, interval, triplets), when the cells carry them. */
    private static void categoryTable(StringBuilder h, List<ObjectNode> cells) {
        List<ObjectNode> with = cells.stream().filter(c -> c.path("details").path("categories").isObject()).toList();
        if (with.isEmpty()) {
            return;
        }
        Set<String> categories = new LinkedHashSet<>();
        with.forEach(c -> c.path("details").path("categories").fieldNames().forEachRemaining(categories::add));
        h.append("<details open><summary>per category: score [95% bootstrap interval] (triplets)</summary><table>\n<tr><th>loss</th>");
        categories.forEach(cat -> h.append("<th>").append(esc(cat)).append("</th>"));
        h.append("</tr>\n");
        for (ObjectNode c : with) {
            h.append("<tr><td>").append(esc(c.path("loss").asText())).append("</td>");
            for (String cat : categories) {
                JsonNode d = c.path("details").path("categories").path(cat);
                h.append("<td class=\"num\">").append(d.isMissingNode() ? "&ndash;" : number(d.path("score").asDouble())
                        + " [" + number(d.path("ci95Low").asDouble()) + ", " + number(d.path("ci95High").asDouble())
                        + "] (" + d.path("triplets").asInt() + ")").append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table></details>\n");
    }

    /** The best value of each agreement score (higher is better); other metrics are not ranked. */
    private static Map<String, Double> best(List<ObjectNode> cells, Set<String> metrics) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String m : metrics) {
            boolean higher = m.startsWith("score");
            if (!higher) {
                continue;
            }
            cells.stream().filter(c -> "done".equals(c.path("status").asText()))
                    .map(c -> c.path("metrics").get(m)).filter(v -> v != null && v.isNumber()).mapToDouble(JsonNode::asDouble)
                    .reduce(Math::max).ifPresent(v -> out.put(m, v));
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

    private static String quote(String s) {
        if (s == null) {
            return "";
        }
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static String esc(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
