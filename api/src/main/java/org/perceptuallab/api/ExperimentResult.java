package org.perceptuallab.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one (experiment, loss) cell produced.
 *
 * @param metrics named figures, for example {@code score} or {@code f1}; one table column each
 * @param images image files written under the output folder, by caption, relative to that folder
 * @param curves named series, for example the loss per optimisation step
 * @param details anything else worth keeping (per-category tables, intervals), as JSON
 * @param synthetic true when the data is generated, not the published set; the report says so
 */
public record ExperimentResult(Map<String, Double> metrics, Map<String, String> images,
                               Map<String, List<Double>> curves, JsonNode details, boolean synthetic) {

    public ExperimentResult {
        metrics = new LinkedHashMap<>(metrics);
        images = new LinkedHashMap<>(images);
        curves = new LinkedHashMap<>(curves);
        details = details == null ? JsonNodeFactory.instance.objectNode() : details;
    }
}
