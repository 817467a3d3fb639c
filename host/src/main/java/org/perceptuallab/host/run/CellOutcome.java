package org.perceptuallab.host.run;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.perceptuallab.api.ExperimentResult;
import org.perceptuallab.api.Metric;
import org.perceptuallab.api.Table;
import org.perceptuallab.host.provenance.Provenance;

/**
 * Where one (experiment, loss) cell of a run stands: {@link Done} with its metrics and files, {@link Failed} with
 * its error, or {@link Pending} (running or not run yet). The one value that flows from the executor to the
 * store ({@code result.json}), the tables ({@code results.json}, {@code results.csv}) and the report; each
 * status holds only its own fields. Its JSON names the status in {@code status}, as every layout before did.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXISTING_PROPERTY, property = "status",
        visible = true)
@JsonSubTypes({@JsonSubTypes.Type(value = CellOutcome.Done.class, name = "done"),
        @JsonSubTypes.Type(value = CellOutcome.Failed.class, name = "failed"),
        @JsonSubTypes.Type(value = CellOutcome.Pending.class, names = {"running", "missing"})})
public sealed interface CellOutcome {

    /** Where a cell stands. */
    enum Status {
        done, failed, running, missing
    }

    /** The experiment's name in the matrix. */
    String experiment();

    /** The loss's name in the matrix. */
    String loss();

    /** What identifies the cell's configuration (experiment, params, loss spec, seed, data hash); null if unknown. */
    JsonNode key();

    @JsonProperty("status")
    Status status();

    /** The series the cell streamed, each with its plot (failed cells keep what they streamed). */
    default Map<String, Curve> curves() {
        return Map.of();
    }

    /** The wall time of the run that made the outcome, 0 where unknown. */
    default double seconds() {
        return 0;
    }

    /**
     * A finished cell.
     *
     * @param metrics each metric's value (null for NaN or infinity)
     * @param metricTypes each metric's direction and kind
     * @param headline the metric that ranks losses in the overview, or null
     * @param images image files by caption, relative to the results folder
     * @param curves series by name, each with its plot (relative to the results folder)
     * @param tables the experiment's further tables
     * @param details the experiment's free-form details
     * @param synthetic whether the data was generated
     * @param provenance what produced it
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"experiment", "loss", "key", "status"})
    record Done(String experiment, String loss, JsonNode key, Map<String, Double> metrics,
                Map<String, MetricType> metricTypes, String headline, Map<String, String> images,
                Map<String, Curve> curves, List<Table> tables, JsonNode details, boolean synthetic,
                Provenance provenance) implements CellOutcome {
        public Done {
            named(experiment, loss);
            present(metrics, "'metrics'");
            present(metricTypes, "'metricTypes'");
            images = images == null ? Map.of() : images;
            curves = curves == null ? Map.of() : curves;
            tables = tables == null ? List.of() : tables;
            metricTypes.values().forEach(t -> present(t, "a type for each metric in 'metricTypes'"));
            images.values().forEach(file -> present(file, "a file for each image in 'images'"));
            curves.values().forEach(c -> present(c, "each curve in 'curves'"));
            tables.forEach(t -> present(t, "each table in 'tables'"));
        }

        /** A finished cell from its result, with image and plot paths already relative to the results folder. */
        public static Done of(String experiment, String loss, JsonNode key, ExperimentResult result,
                              Map<String, String> images, Map<String, Curve> curves, Provenance provenance) {
            Map<String, Double> values = new LinkedHashMap<>();
            Map<String, MetricType> types = new LinkedHashMap<>();
            result.metrics().forEach((name, m) -> {
                values.put(name, Double.isFinite(m.value()) ? m.value() : null);
                types.put(name, new MetricType(m.better(), m.kind()));
            });
            return new Done(experiment, loss, key, values, types, result.headline(), images, curves,
                    result.tables(), result.details(), result.synthetic(), provenance);
        }

        @Override
        public Status status() {
            return Status.done;
        }

        @Override
        public double seconds() {
            return provenance == null ? 0 : provenance.timing().seconds();
        }

        /** The metric {@code name} with its type, where the cell has it and it is finite. */
        public Metric metric(String name) {
            Double v = metrics.get(name);
            MetricType t = metricTypes.get(name);
            return v == null || t == null ? null : new Metric(v, t.better(), t.kind());
        }

        /** This outcome with other image and plot files (the report's, with those it may not link left out). */
        public Done withFiles(Map<String, String> files, Map<String, Curve> plots) {
            return new Done(experiment, loss, key, metrics, metricTypes, headline, files, plots, tables, details,
                    synthetic, provenance);
        }
    }

    /**
     * A cell that failed.
     *
     * @param error why, in words a person can act on
     * @param trace the failure's stack trace, where there was one
     * @param curves the series it streamed before failing
     * @param provenance what ran it, or null where its worker died before saying
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"experiment", "loss", "key", "status"})
    record Failed(String experiment, String loss, JsonNode key, String error, String trace, Map<String, Curve> curves,
                  Provenance provenance) implements CellOutcome {
        public Failed {
            named(experiment, loss);
            present(error, "'error'");
            curves = curves == null ? Map.of() : curves;
            curves.values().forEach(c -> present(c, "each curve in 'curves'"));
        }

        @Override
        public Status status() {
            return Status.failed;
        }

        @Override
        public double seconds() {
            return provenance == null ? 0 : provenance.timing().seconds();
        }

        /** This outcome with other plot files (the report's). */
        public Failed withCurves(Map<String, Curve> plots) {
            return new Failed(experiment, loss, key, error, trace, plots, provenance);
        }
    }

    /**
     * A cell without a result: running where a process left its marker, else missing.
     *
     * @param running who runs the cell now, or null
     * @param shard the shard the plan gives the cell, or null
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"experiment", "loss", "key", "status"})
    record Pending(String experiment, String loss, JsonNode key, Running running, Integer shard)
            implements CellOutcome {
        public Pending {
            named(experiment, loss);
        }

        @Override
        public Status status() {
            return running != null ? Status.running : Status.missing;
        }
    }

    /** A metric's type, stored beside its value. */
    record MetricType(Metric.Better better, Metric.Kind kind) {
        public MetricType {
            present(better, "a metric type's 'better'");
            present(kind, "a metric type's 'kind'");
        }
    }

    /** A series and its plot (null where there is none to show). */
    record Curve(List<Double> values, String plot) {
        public Curve {
            present(values, "a curve's 'values'");
        }
    }

    /** The marker of a process running the cell. */
    record Running(String host, long pid, String shard, String started) {
    }

    private static void named(String experiment, String loss) {
        present(experiment, "'experiment'");
        present(loss, "'loss'");
    }

    /** {@code value}, or the refusal of an outcome without it (a file may hold anything): none exists half-formed. */
    private static <T> T present(T value, String what) {
        if (value == null) {
            throw new IllegalArgumentException("a cell record needs " + what);
        }
        return value;
    }
}
