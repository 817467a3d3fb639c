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
import org.perceptuallab.host.provenance.Provenance;
import org.perceptuallab.host.run.CellOutcome.Done;
import org.perceptuallab.host.run.CellOutcome.Failed;
import org.perceptuallab.host.run.CellOutcome.Pending;
import org.perceptuallab.host.run.CellOutcome.Status;
import org.perceptuallab.host.run.CellOutcome;

/**
 * What a report shows, computed from the cells' outcomes alone: the failed cells, the overview ranking the
 * losses on each experiment's headline metric, per experiment a side-by-side view of its pictures and its
 * details, and the notes. Templates render it ({@code report.jte}); nothing here is markup, and every file it
 * names is a link-ready path inside the results folder. Outcomes may come from elsewhere (a shared results
 * folder): an image or plot is kept only when its path is relative and stays inside the folder (no URL, no
 * absolute path, no {@code ..} out); others are left out with a note.
 *
 * @param matrix the matrix's name
 * @param software what ran the cells (host and api versions, engine, DJL, device, seed), or null
 * @param counts how many cells stand where
 * @param failures the failed cells, in plan order
 * @param overview the losses ranked per experiment, or null where no experiment names a ranked headline
 * @param experiments each experiment's view, in plan order
 * @param notes what the run and the report say besides the figures
 */
public record ReportModel(String matrix, String software, Counts counts, List<FailedCell> failures,
                          Overview overview, List<ExperimentView> experiments, List<String> notes) {

    /** How many cells there are, and how many stand where. */
    public record Counts(int cells, long done, long failed, long running, long missing) {
    }

    /** A failed cell and its message. */
    public record FailedCell(String experiment, String loss, String error) {
    }

    /** One column per experiment with a ranked headline, one row per loss (most experiments, then best mean rank first). */
    public record Overview(List<Column> columns, List<Row> rows) {
        public record Column(String experiment, String metric, boolean higherIsBetter) {
        }

        /** A loss's headline values (null where it has none) with their ranks, and its mean rank (NaN: none). */
        public record Row(String loss, List<Ranked> values, double meanRank) {
        }

        public record Ranked(String value, int rank) {
        }
    }

    /**
     * @param name the experiment's name in the matrix
     * @param synthetic whether its data was generated
     * @param note the matrix's note on it, or null
     * @param gallery its pictures side by side, or null where there are none yet
     * @param details its table of losses
     * @param crossEvaluation each loss's models scored under the other losses, or null where the cells have none
     */
    public record ExperimentView(String name, boolean synthetic, String note, Gallery gallery, Details details,
                                 CrossEvaluation crossEvaluation) {
    }

    /**
     * What a cell trained with one loss scores under others (metrics {@value #UNDER}LOSS, lower is better):
     * one row per loss the cell trained with, one column per loss it was scored under, mean ± sd over seeds,
     * ranked within each column. The diagonal is each loss judged by itself; the off-diagonal cells answer
     * which loss trains the better model.
     */
    public record CrossEvaluation(List<String> under, List<CrossRow> rows) {
    }

    public record CrossRow(String trainedWith, List<Overview.Ranked> values) {
    }

    /** The prefix of a cross-evaluation metric; the loss spec follows it. */
    public static final String UNDER = "heldOut.under.";

    /**
     * @param orderedBy the headline the losses are ordered by, or null
     * @param inputs the pictures every cell shares (targets, content and style), shown first in each row
     * @param rows one per picture at least two losses made (one row with no caption where only inputs exist)
     */
    public record Gallery(Headline orderedBy, List<Picture> inputs, List<PictureRow> rows) {
    }

    public record PictureRow(String caption, List<Picture> pictures) {
    }

    /**
     * A picture or a cell without one: {@code file} (link-ready) or null for a dash; {@code loss} and the headline
     * value label it; {@code status} says why a cell has none (failed: its message's first line).
     */
    public record Picture(String file, String title, String value, String alt, String status) {
    }

    /** An experiment's headline metric and its direction. */
    public record Headline(String metric, boolean higherIsBetter) {
    }

    /**
     * @param experiment the experiment's id, plugin and canonical params, or null where no cell ran
     * @param dataPath the data's path, or null
     * @param dataSha the data's sha-256 (its first 16 digits), or null
     * @param metrics each metric with its declared direction
     * @param images the captions of the pictures not shown side by side
     * @param curves the series' names
     * @param rows one per loss
     * @param tables the experiment's own tables, every finished cell's rows with the loss in front
     */
    public record Details(Provenance.Component experiment, String dataPath, String dataSha, List<MetricColumn> metrics,
                          List<String> images, List<String> curves, List<DetailRow> rows, List<TableView> tables) {
    }

    public record MetricColumn(String name, Metric.Better better) {
    }

    /**
     * One loss's row: done with its values, pictures and plots (null where it has none), failed with its error
     * and the curves it streamed, or pending with what is known of it.
     */
    public record DetailRow(String loss, String spec, String plugin, Status status, List<Value> values,
                            List<String> images, List<String> plots, String message, List<CurveLink> curvesSoFar,
                            String time) {
    }

    public record Value(String text, boolean best) {
    }

    public record CurveLink(String name, String plot, int points) {
    }

    public record TableView(String title, List<String> columns, List<List<Cell>> rows) {
        public record Cell(String text, boolean number) {
        }
    }

    /**
     * The model of {@code given} (in plan order); image and plot paths are relative to {@code output}. Each one
     * left out (its path leads elsewhere) is a note and a line to {@code warnings}.
     */
    public static ReportModel of(String matrix, List<CellOutcome> given, List<String> givenNotes,
                                 Map<String, String> experimentNotes, Path output, Consumer<String> warnings) {
        List<String> notes = new ArrayList<>();
        List<CellOutcome> cells = given.stream().map(c -> linkable(c, output, dropped -> {
            notes.add(dropped);
            warnings.accept(dropped);
        })).toList();
        notes.addAll(0, givenNotes);
        Map<String, List<CellOutcome>> byExperiment = new LinkedHashMap<>();
        for (CellOutcome c : cells) {
            byExperiment.computeIfAbsent(c.experiment(), k -> new ArrayList<>()).add(c);
        }
        Names names = new Names(cells);
        Provenance p = cells.stream().map(ReportModel::provenance).filter(Objects::nonNull).findFirst().orElse(null);
        String software = p == null ? null : "host " + p.software().host() + " (api " + p.software().api() + ") \u00b7 "
                + p.software().engine() + ", DJL " + p.software().djl() + " on " + p.run().device() + " \u00b7 seed "
                + p.run().seed();
        Counts counts = new Counts(cells.size(), count(cells, Status.done), count(cells, Status.failed),
                count(cells, Status.running), count(cells, Status.missing));
        List<FailedCell> failures = cells.stream().filter(c -> c instanceof Failed).map(c -> (Failed) c)
                .map(f -> new FailedCell(f.experiment(), names.of(f), f.error())).toList();
        Map<String, Headline> headlines = new LinkedHashMap<>();
        byExperiment.forEach((experiment, cs) -> headline(cs).ifPresent(hl -> headlines.put(experiment, hl)));
        List<ExperimentView> views = new ArrayList<>();
        for (Map.Entry<String, List<CellOutcome>> e : byExperiment.entrySet()) {
            List<CellOutcome> cs = e.getValue();
            Set<String> shared = shared(cs, captions(cs), output);
            views.add(new ExperimentView(e.getKey(), done(cs).stream().anyMatch(Done::synthetic),
                    experimentNotes.get(e.getKey()), gallery(cs, shared, headlines.get(e.getKey()), names),
                    details(cs, shared, names), crossEvaluation(cs)));
        }
        return new ReportModel(matrix, software, counts, failures, overview(byExperiment, headlines), views, notes);
    }

    /**
     * How the report names a cell: its loss, and its seed where the matrix ran that experiment and loss under
     * several ({@code seeds:} or {@code replicates:}).
     */
    private static final class Names {
        private final Map<String, Integer> perLoss = new LinkedHashMap<>();

        Names(List<CellOutcome> cells) {
            cells.forEach(c -> perLoss.merge(c.experiment() + "\u0000" + c.loss(), 1, Integer::sum));
        }

        String of(CellOutcome c) {
            Long seed = seed(c);
            return perLoss.get(c.experiment() + "\u0000" + c.loss()) > 1 && seed != null
                    ? c.loss() + " (seed " + seed + ")" : c.loss();
        }
    }

    /** How the report names each of {@code cells} (its loss, and its seed where the loss ran under several). */
    public static List<String> names(List<CellOutcome> cells) {
        Names names = new Names(cells);
        return cells.stream().map(names::of).toList();
    }

    /** The seed the cell ran under, from its key, or null where the key is unknown (a cell not yet run). */
    static Long seed(CellOutcome c) {
        return c.key() != null && c.key().path("seed").isIntegralNumber() ? c.key().get("seed").asLong() : null;
    }

    /** How many of the cells have this status. */
    public static long count(List<CellOutcome> cells, Status status) {
        return cells.stream().filter(c -> c.status() == status).count();
    }

    /** The headline the experiment's results name, where it has a direction to rank by. */
    private static Optional<Headline> headline(List<CellOutcome> cells) {
        return done(cells).stream().filter(c -> c.headline() != null && c.metricTypes().containsKey(c.headline())
                        && c.metricTypes().get(c.headline()).better() != Metric.Better.NEITHER).findFirst()
                .map(c -> new Headline(c.headline(), c.metricTypes().get(c.headline()).better() == Metric.Better.HIGHER));
    }

    /** The cell's headline value, or null (not done, or no such metric). */
    private static Double headlineValue(Headline headline, CellOutcome c) {
        Metric m = headline == null || !(c instanceof Done d) ? null : d.metric(headline.metric());
        return m == null ? null : m.value();
    }

    /**
     * The side-by-side view: the shared inputs first in each row, then one picture per loss (best headline
     * first; failed and unfinished cells last), one row per picture at least two losses made (a comparison needs
     * two: pictures only one loss makes, its Gram matrices say, stay in the details).
     */
    private static Gallery gallery(List<CellOutcome> cells, Set<String> shared, Headline headline, Names names) {
        List<CellOutcome> order = new ArrayList<>(cells);
        if (headline != null) {
            order.sort((a, b) -> {
                Double x = headlineValue(headline, a);
                Double y = headlineValue(headline, b);
                if (x == null || y == null) {
                    return x == null ? (y == null ? 0 : 1) : -1;
                }
                return headline.higherIsBetter() ? Double.compare(y, x) : Double.compare(x, y);
            });
        }
        List<Done> done = done(cells);
        Set<String> rows = captions(cells);
        rows.removeAll(shared);
        rows.removeIf(caption -> done.size() > 1 && done.stream().filter(c -> c.images().containsKey(caption))
                .count() < 2);
        Done withShared = done.stream().filter(c -> !shared.isEmpty() && c.images().keySet().containsAll(shared))
                .findFirst().orElse(null);
        if (rows.isEmpty() && withShared == null) {
            return null;
        }
        List<Picture> inputs = withShared == null ? List.of() : shared.stream()
                .map(input -> new Picture(link(withShared.images().get(input)), input, null, input, null)).toList();
        List<PictureRow> pictureRows = new ArrayList<>();
        for (String caption : rows.isEmpty() ? List.of("") : rows) {
            List<Picture> pictures = new ArrayList<>();
            for (CellOutcome c : order) {
                Double v = headlineValue(headline, c);
                String value = v == null ? null : headline.metric() + " " + number(v);
                if (!(c instanceof Done d)) {
                    pictures.add(new Picture(null, names.of(c), value, null, c instanceof Failed f
                            ? "failed: " + abbreviate(f.error()) : c.status().name()));
                } else if (!caption.isEmpty()) {
                    pictures.add(new Picture(link(d.images().get(caption)), names.of(c), value,
                            caption + ", " + names.of(c), null));
                }
            }
            pictureRows.add(new PictureRow(caption, pictures));
        }
        return new Gallery(headline, inputs, pictureRows);
    }

    /** The first line of a message, at most 160 characters (the full text is in the details). */
    private static String abbreviate(String message) {
        String first = message == null ? "" : message.lines().findFirst().orElse("");
        return first.length() <= 160 ? first : first.substring(0, 157) + "...";
    }

    /** Every image caption of the cells, in first-seen order. */
    private static Set<String> captions(List<CellOutcome> cells) {
        Set<String> out = new LinkedHashSet<>();
        done(cells).forEach(c -> out.addAll(c.images().keySet()));
        return out;
    }

    /**
     * The outcome with the image and plot paths the report may link: relative, inside {@code output}
     * (normalised); any other is left out and {@code dropped} told why.
     */
    private static CellOutcome linkable(CellOutcome c, Path output, Consumer<String> dropped) {
        String cell = "cell " + c.experiment() + "/" + c.loss();
        Map<String, CellOutcome.Curve> curves = new LinkedHashMap<>();
        c.curves().forEach((name, curve) -> curves.put(name, new CellOutcome.Curve(curve.values(),
                curve.plot() == null ? null : inside(output, curve.plot(), "the plot of curve '" + name + "' of "
                        + cell, dropped))));
        if (c instanceof Done d) {
            Map<String, String> images = new LinkedHashMap<>();
            d.images().forEach((caption, file) -> {
                String inside = inside(output, file, "the image '" + caption + "' of " + cell, dropped);
                if (inside != null) {
                    images.put(caption, inside);
                }
            });
            return d.withFiles(images, curves);
        }
        return c instanceof Failed f ? f.withCurves(curves) : c;
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

    /** A path inside the results folder as a link: percent-encoded, so that no byte reads as syntax; null stays null. */
    private static String link(String inside) {
        if (inside == null) {
            return null;
        }
        StringBuilder href = new StringBuilder();
        for (byte b : inside.getBytes(StandardCharsets.UTF_8)) {
            char ch = (char) (b & 0xff);
            boolean plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
                    || "-._~/".indexOf(ch) >= 0;
            href.append(plain ? String.valueOf(ch) : String.format(Locale.ROOT, "%%%02X", b & 0xff));
        }
        return href.toString();
    }

    /**
     * One row per loss, the headline metric of each experiment with the loss's rank in it by the metric's
     * direction, and the mean rank. Mean ranks compare only over the same experiments: losses ranked in more
     * experiments come first, then by mean rank.
     */
    private static Overview overview(Map<String, List<CellOutcome>> byExperiment, Map<String, Headline> headlines) {
        if (headlines.isEmpty()) {
            return null;
        }
        Map<String, Map<String, Double>> values = new LinkedHashMap<>();
        Map<String, Map<String, String>> shown = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> ranks = new LinkedHashMap<>();
        headlines.forEach((experiment, headline) -> {
            // Each loss's headline over its seeds: ranked by the mean, shown as mean ± sd where it ran several.
            OverSeeds over = OverSeeds.of(done(byExperiment.get(experiment)), headline.metric());
            values.put(experiment, over.mean());
            shown.put(experiment, over.text());
            ranks.put(experiment, ranks(over.mean(), headline.higherIsBetter()));
        });
        Set<String> losses = new LinkedHashSet<>();
        byExperiment.values().forEach(cs -> cs.forEach(c -> losses.add(c.loss())));
        Map<String, Double> meanRank = new LinkedHashMap<>();
        Map<String, Long> ranked = new LinkedHashMap<>();
        for (String loss : losses) {
            meanRank.put(loss, ranks.values().stream().filter(r -> r.containsKey(loss)).mapToInt(r -> r.get(loss))
                    .average().orElse(Double.NaN));
            ranked.put(loss, ranks.values().stream().filter(r -> r.containsKey(loss)).count());
        }
        List<String> order = new ArrayList<>(losses);
        order.sort(Comparator.comparing((String loss) -> -ranked.get(loss)).thenComparing(loss ->
                Double.isNaN(meanRank.get(loss)) ? Double.MAX_VALUE : meanRank.get(loss)));
        List<Overview.Column> columns = new ArrayList<>();
        headlines.forEach((experiment, h) -> columns.add(new Overview.Column(experiment, h.metric(),
                h.higherIsBetter())));
        List<Overview.Row> rows = new ArrayList<>();
        for (String loss : order) {
            List<Overview.Ranked> cells = new ArrayList<>();
            for (String experiment : headlines.keySet()) {
                Double v = values.get(experiment).get(loss);
                cells.add(v == null ? null : new Overview.Ranked(shown.get(experiment).get(loss),
                        ranks.get(experiment).get(loss)));
            }
            rows.add(new Overview.Row(loss, cells, meanRank.get(loss)));
        }
        return new Overview(columns, rows);
    }

    /** A metric per loss over its seeds: the mean, and its text (mean ± sd (n) where there are several). */
    private record OverSeeds(Map<String, Double> mean, Map<String, String> text) {
        static OverSeeds of(List<Done> cells, String metric) {
            Map<String, List<Double>> bySeed = new LinkedHashMap<>();
            for (Done c : cells) {
                Metric m = c.metric(metric);
                if (m != null) {
                    bySeed.computeIfAbsent(c.loss(), k -> new ArrayList<>()).add(m.value());
                }
            }
            Map<String, Double> mean = new LinkedHashMap<>();
            Map<String, String> text = new LinkedHashMap<>();
            bySeed.forEach((loss, xs) -> {
                double m = xs.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
                mean.put(loss, m);
                text.put(loss, xs.size() == 1 ? number(m) : number(m) + " \u00b1 " + number(sd(xs, m))
                        + " (n = " + xs.size() + ")");
            });
            return new OverSeeds(mean, text);
        }
    }

    /** Each loss's rank by its value, 1 = best; equal values share a rank. */
    private static Map<String, Integer> ranks(Map<String, Double> values, boolean higherIsBetter) {
        Metric.Better better = higherIsBetter ? Metric.Better.HIGHER : Metric.Better.LOWER;
        Map<String, Integer> r = new LinkedHashMap<>();
        values.forEach((loss, x) -> r.put(loss, 1 + (int) values.values().stream()
                .filter(o -> new Metric(o, better, Metric.Kind.VALUE).isBetter(o, x)).count()));
        return r;
    }

    /** The cross-evaluation table of an experiment's cells, or null where none has such metrics. */
    private static CrossEvaluation crossEvaluation(List<CellOutcome> cells) {
        List<Done> done = done(cells);
        List<String> under = done.stream().flatMap(c -> c.metrics().keySet().stream())
                .filter(name -> name.startsWith(UNDER)).distinct().toList();
        if (under.isEmpty()) {
            return null;
        }
        Map<String, OverSeeds> columns = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> ranks = new LinkedHashMap<>();
        for (String metric : under) {
            OverSeeds over = OverSeeds.of(done, metric);
            columns.put(metric, over);
            ranks.put(metric, ranks(over.mean(), false));
        }
        List<CrossRow> rows = new ArrayList<>();
        for (String loss : done.stream().map(Done::loss).distinct().toList()) {
            rows.add(new CrossRow(loss, under.stream().map(metric -> columns.get(metric).text().containsKey(loss)
                    ? new Overview.Ranked(columns.get(metric).text().get(loss), ranks.get(metric).get(loss))
                    : null).toList()));
        }
        return new CrossEvaluation(under.stream().map(metric -> metric.substring(UNDER.length())).toList(), rows);
    }

    /** The sample standard deviation of {@code xs} about {@code mean} (n - 1 in the denominator). */
    private static double sd(List<Double> xs, double mean) {
        return Math.sqrt(xs.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / (xs.size() - 1));
    }

    /** The experiment's details: provenance, one row per cell, and its own tables. */
    private static Details details(List<CellOutcome> cells, Set<String> shared, Names names) {
        Provenance prov = cells.stream().map(ReportModel::provenance).filter(Objects::nonNull).findFirst().orElse(null);
        JsonNode data = prov == null ? null : prov.run().data();
        String sha = data == null ? null : data.path("sha256").asText();
        Set<String> metrics = new LinkedHashSet<>();
        Set<String> images = new LinkedHashSet<>();
        Set<String> curves = new LinkedHashSet<>();
        for (CellOutcome c : cells) {
            if (c instanceof Done d) {
                metrics.addAll(d.metrics().keySet());
                images.addAll(d.images().keySet());
            }
            curves.addAll(c.curves().keySet());
        }
        images.removeAll(shared); // shown once, in the side-by-side view
        Map<String, Double> best = best(cells, metrics);
        List<DetailRow> rows = new ArrayList<>();
        for (CellOutcome c : cells) {
            Provenance p = provenance(c);
            String spec = Objects.toString(lossSpec(c), "");
            String plugin = p == null ? "" : p.loss().plugin();
            String time = p == null ? null : number(c.seconds()) + " s";
            if (c instanceof Pending pending) {
                CellOutcome.Running r = pending.running();
                String message = r != null ? "since " + r.started() + " on " + r.host() + " (process " + r.pid()
                        + ", shard " + r.shard() + "; a killed process leaves this mark until the cell runs again)"
                        : "not run yet" + (pending.shard() != null ? " (shard " + pending.shard() + ")" : "");
                rows.add(new DetailRow(names.of(c), spec, plugin, c.status(), List.of(), List.of(), List.of(), message,
                        List.of(), time));
            } else if (c instanceof Failed f) {
                List<CurveLink> soFar = new ArrayList<>();
                f.curves().forEach((name, curve) -> soFar.add(new CurveLink(name, link(curve.plot()),
                        curve.values().size())));
                rows.add(new DetailRow(names.of(c), spec, plugin, c.status(), List.of(), List.of(), List.of(), f.error(),
                        soFar, time));
            } else if (c instanceof Done d) {
                List<Value> values = metrics.stream().map(m -> {
                    Double v = d.metrics().get(m);
                    return new Value(v == null ? null : number(v), v != null && best.containsKey(m)
                            && v.doubleValue() == best.get(m));
                }).toList();
                List<String> pictures = images.stream().map(i -> link(d.images().get(i))).toList();
                List<String> plots = curves.stream().map(cv -> d.curves().get(cv) == null ? null
                        : link(d.curves().get(cv).plot())).toList();
                rows.add(new DetailRow(names.of(c), spec, plugin, c.status(), values, pictures, plots, null, List.of(),
                        time));
            }
        }
        List<MetricColumn> columns = metrics.stream().map(m -> new MetricColumn(m, better(cells, m))).toList();
        return new Details(prov == null ? null : prov.experiment(), data == null ? null : data.path("path").asText(),
                sha == null ? null : sha.substring(0, Math.min(16, sha.length())), columns, List.copyOf(images),
                List.copyOf(curves), rows, tables(cells));
    }

    /** A metric's declared direction, as its first finished cell states it. */
    private static Metric.Better better(List<CellOutcome> cells, String metric) {
        return done(cells).stream().map(c -> c.metricTypes().get(metric)).filter(Objects::nonNull)
                .map(CellOutcome.MetricType::better).findFirst().orElse(Metric.Better.NEITHER);
    }

    /** The experiment's own tables, one per title: the rows of every finished cell with the loss in front. */
    private static List<TableView> tables(List<CellOutcome> cells) {
        Map<String, List<String>> columnsOf = new LinkedHashMap<>();
        done(cells).forEach(c -> c.tables().forEach(t -> columnsOf.putIfAbsent(t.title(), t.columns())));
        List<TableView> out = new ArrayList<>();
        columnsOf.forEach((title, columns) -> {
            List<List<TableView.Cell>> rows = new ArrayList<>();
            for (Done c : done(cells)) {
                for (Table table : c.tables()) {
                    if (Objects.equals(table.title(), title)) {
                        for (List<Object> row : table.rows()) {
                            List<TableView.Cell> line = new ArrayList<>();
                            line.add(new TableView.Cell(c.loss(), false));
                            row.forEach(cell -> line.add(cell instanceof Number n
                                    ? new TableView.Cell(number(n.doubleValue()), true)
                                    : new TableView.Cell(String.valueOf(cell), false)));
                            rows.add(line);
                        }
                    }
                }
            }
            out.add(new TableView(title, columns, rows));
        });
        return out;
    }

    /** Captions whose file has the same bytes in every finished cell (the targets, say): shown once. */
    private static Set<String> shared(List<CellOutcome> cells, Set<String> captions, Path output) {
        Set<String> out = new LinkedHashSet<>();
        List<Done> done = done(cells);
        if (done.size() < 2) {
            return out;
        }
        for (String caption : captions) {
            byte[] first = null;
            boolean same = true;
            for (Done c : done) {
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
    private static Map<String, Double> best(List<CellOutcome> cells, Set<String> metrics) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String m : metrics) {
            Double bestValue = null;
            for (Done c : done(cells)) {
                Metric metric = c.metric(m);
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

    /** The finished cells among {@code cells}, in their order. */
    static List<Done> done(List<CellOutcome> cells) {
        return cells.stream().filter(c -> c instanceof Done).map(c -> (Done) c).toList();
    }

    /** What produced the cell, where it ran. */
    static Provenance provenance(CellOutcome c) {
        return c instanceof Done d ? d.provenance() : c instanceof Failed f ? f.provenance() : null;
    }

    /** The loss's canonical spec as recorded, or the key's. */
    static JsonNode lossSpec(CellOutcome c) {
        Provenance p = provenance(c);
        return p != null ? p.loss().spec() : c.key() == null ? null : c.key().get("loss");
    }

    /** A number as the report prints it: whole numbers whole, others to four significant digits, NaN a dash. */
    public static String number(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
