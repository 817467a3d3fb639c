package org.perceptuallab.host.matrix;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.perceptuallab.api.ExperimentResult;
import org.perceptuallab.api.Metric;
import org.perceptuallab.api.Table;

/**
 * Everything the host keeps of one (experiment, loss) cell: the one record that flows from the runner to
 * the store ({@code result.json}), the tables ({@code results.json}, {@code results.csv}) and the report.
 * Metrics are stored as plain numbers (so the files read well with jq or a spreadsheet) with their types
 * beside them.
 *
 * @param experiment the experiment's name in the matrix
 * @param loss the loss's name in the matrix
 * @param key what identifies the cell's configuration (experiment, params, loss spec, seed, data hash)
 * @param status done, failed, running or missing
 * @param metrics each metric's value (null for NaN or infinity)
 * @param metricTypes each metric's direction and kind
 * @param headline the metric that ranks losses in the overview, or null
 * @param images image files by caption, relative to the results folder
 * @param curves series by name, each with its plot (relative to the results folder)
 * @param tables the experiment's further tables
 * @param details the experiment's free-form details
 * @param synthetic whether the data was generated
 * @param error why the cell failed
 * @param trace the failure's stack trace
 * @param provenance what produced the record
 * @param running who runs the cell now (running cells only)
 * @param shard the shard the plan gives the cell (running and missing cells only)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CellRecord(String experiment, String loss, JsonNode key, Status status, Map<String, Double> metrics,
                         Map<String, MetricType> metricTypes, String headline, Map<String, String> images,
                         Map<String, Curve> curves, List<Table> tables, JsonNode details, boolean synthetic,
                         String error, String trace, Provenance provenance, Running running, Integer shard) {

    /** Where a cell stands. */
    public enum Status {
        done, failed, running, missing
    }

    /** A metric's type, stored beside its value. */
    public record MetricType(Metric.Better better, Metric.Kind kind) {
        public MetricType {
            present(better, "a metric type's 'better'");
            present(kind, "a metric type's 'kind'");
        }
    }

    /** A series and its plot (null where there is none to show). */
    public record Curve(List<Double> values, String plot) {
        public Curve {
            present(values, "a curve's 'values'");
        }
    }

    /** The marker of a process running the cell. */
    public record Running(String host, long pid, String shard, String started) {
    }

    /**
     * Absent collections read as empty; anything else missing that a reader would rely on (a record from a
     * file may hold anything) is refused here, so that no record exists half-formed.
     */
    public CellRecord {
        present(experiment, "'experiment'");
        present(loss, "'loss'");
        present(status, "'status'");
        metrics = metrics == null ? Map.of() : metrics;
        metricTypes = metricTypes == null ? Map.of() : metricTypes;
        images = images == null ? Map.of() : images;
        curves = curves == null ? Map.of() : curves;
        tables = tables == null ? List.of() : tables;
        metricTypes.values().forEach(t -> present(t, "a type for each metric in 'metricTypes'"));
        images.values().forEach(file -> present(file, "a file for each image in 'images'"));
        curves.values().forEach(c -> present(c, "each curve in 'curves'"));
        tables.forEach(t -> present(t, "each table in 'tables'"));
    }

    /** {@code value}, or the refusal of a record without it. */
    private static <T> T present(T value, String what) {
        if (value == null) {
            throw new IllegalArgumentException("a cell record needs " + what);
        }
        return value;
    }

    /** A finished cell's record from its result, with image and plot paths already relative to the results folder. */
    static CellRecord done(String experiment, String loss, JsonNode key, ExperimentResult result,
                           Map<String, String> images, Map<String, Curve> curves, Provenance provenance) {
        Map<String, Double> values = new LinkedHashMap<>();
        Map<String, MetricType> types = new LinkedHashMap<>();
        result.metrics().forEach((name, m) -> {
            values.put(name, Double.isFinite(m.value()) ? m.value() : null);
            types.put(name, new MetricType(m.better(), m.kind()));
        });
        return new CellRecord(experiment, loss, key, Status.done, values, types, result.headline(), images, curves,
                result.tables(), result.details(), result.synthetic(), null, null, provenance, null, null);
    }

    /** A failed cell's record; the curves it streamed before failing are kept. */
    static CellRecord failed(String experiment, String loss, JsonNode key, String error, String trace,
                             Map<String, Curve> curves, Provenance provenance) {
        return new CellRecord(experiment, loss, key, Status.failed, null, null, null, null, curves, null, null, false,
                error, trace, provenance, null, null);
    }

    /** A cell without a result: running (with its marker) or missing. */
    static CellRecord pending(String experiment, String loss, JsonNode key, Running running, Integer shard) {
        return new CellRecord(experiment, loss, key, running != null ? Status.running : Status.missing, null, null,
                null, null, null, null, null, false, null, null, null, running, shard);
    }

    /** This record with other image and plot files (the report's, with those it may not link left out). */
    public CellRecord withFiles(Map<String, String> images, Map<String, Curve> curves) {
        return new CellRecord(experiment, loss, key, status, metrics, metricTypes, headline, images, curves, tables,
                details, synthetic, error, trace, provenance, running, shard);
    }

    @JsonIgnore
    public boolean isDone() {
        return status == Status.done;
    }

    /** The metric {@code name} with its type, where the cell has it and it is finite. */
    public Metric metric(String name) {
        Double v = metrics.get(name);
        MetricType t = metricTypes.get(name);
        return v == null || t == null ? null : new Metric(v, t.better(), t.kind());
    }

    /** The wall time of the run that made the record, 0 where unknown. */
    @JsonIgnore
    public double seconds() {
        return provenance == null ? 0 : provenance.seconds();
    }

    /** The loss's canonical spec as recorded, or the key's. */
    @JsonIgnore
    public JsonNode lossSpec() {
        return provenance != null && provenance.loss() != null ? provenance.loss().spec()
                : key == null ? null : key.get("loss");
    }
}
