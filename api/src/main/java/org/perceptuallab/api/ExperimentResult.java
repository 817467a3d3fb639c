package org.perceptuallab.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one (experiment, loss) cell produced, and everything the report shows of it.
 *
 * @param metrics named, typed figures (for example {@code score}); one table column each, in this order
 * @param headline the metric that ranks losses in the report's overview (one of {@code metrics}, or null)
 * @param images image files written under the output folder, by caption, relative to that folder
 * @param curves named series, for example the loss per optimisation step; the host adds the series the
 *               cell streamed to its {@link MetricsSink}
 * @param tables further tables for this cell (per-category scores, say)
 * @param details anything else worth keeping, as JSON; stored, never interpreted by the host
 * @param synthetic true when the data is generated, not the published set; the report says so
 */
public record ExperimentResult(Map<String, Metric> metrics, String headline, Map<String, String> images,
                               Map<String, List<Double>> curves, List<Table> tables, JsonNode details,
                               boolean synthetic) {

    public ExperimentResult {
        metrics = new LinkedHashMap<>(metrics);
        images = new LinkedHashMap<>(images);
        curves = new LinkedHashMap<>(curves);
        tables = List.copyOf(tables);
        details = details == null ? JsonNodeFactory.instance.objectNode() : details;
        if (headline != null && !metrics.containsKey(headline)) {
            throw new IllegalArgumentException("headline '" + headline + "' is not one of the metrics "
                    + metrics.keySet());
        }
    }

    /** The value of metric {@code name}. */
    public double value(String name) {
        Metric m = metrics.get(name);
        if (m == null) {
            throw new IllegalArgumentException("no metric '" + name + "' among " + metrics.keySet());
        }
        return m.value();
    }

    /** A builder, for results put together over a long run. */
    public static Builder builder() {
        return new Builder();
    }

    /** Collects a result's parts in the order they are added. */
    public static final class Builder {
        private final Map<String, Metric> metrics = new LinkedHashMap<>();
        private String headline;
        private final Map<String, String> images = new LinkedHashMap<>();
        private final Map<String, List<Double>> curves = new LinkedHashMap<>();
        private final List<Table> tables = new ArrayList<>();
        private JsonNode details;
        private boolean synthetic;

        private Builder() {
        }

        public Builder metric(String name, Metric metric) {
            metrics.put(name, metric);
            return this;
        }

        /** Adds the metric and makes it the headline. */
        public Builder headline(String name, Metric metric) {
            metrics.put(name, metric);
            headline = name;
            return this;
        }

        public Builder image(String caption, String relativePath) {
            images.put(caption, relativePath);
            return this;
        }

        public Builder curve(String name, List<Double> values) {
            curves.put(name, values);
            return this;
        }

        public Builder table(Table table) {
            tables.add(table);
            return this;
        }

        public Builder details(JsonNode details) {
            this.details = details;
            return this;
        }

        public Builder synthetic(boolean synthetic) {
            this.synthetic = synthetic;
            return this;
        }

        public ExperimentResult build() {
            return new ExperimentResult(metrics, headline, images, curves, tables, details, synthetic);
        }
    }
}
