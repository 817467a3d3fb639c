package org.perceptuallab.plugins.patch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.perceptuallab.kit.Examples;
import org.perceptuallab.testkit.LossContractTest;

/**
 * Every loss family of this plugin, in each of its example configurations, through the loss contract; and
 * losses-pixel's laplacian composite over this plugin's losses (the study's Laplacian SWD among them). The
 * kit's one-draw check toggles a family's own redraw flag, which the composite has not: LaplacianSwdTest checks
 * the composite's one-draw view over a redrawing patch-swd.
 */
class PatchLossesKeepTheContractTest extends LossContractTest {
    @Override
    protected Map<String, List<ObjectNode>> moreExamples() {
        return Map.of("laplacian", Examples.of(
                "{\"of\": {\"loss\": \"patch-swd\", \"params\": {\"patchSize\": 3, \"projections\": 8,"
                        + " \"normalizePatch\": \"mean\"}}, \"levels\": 2}",
                "{\"of\": {\"loss\": \"patch-swd\", \"params\": {\"patchSize\": 3, \"projections\": 8,"
                        + " \"stride\": 2}}, \"levels\": 3, \"weighting\": \"1\"}",
                "{\"of\": {\"loss\": \"patch-rbf\", \"params\": {\"patchSize\": 3, \"sigma\": 0.3,"
                        + " \"kernel\": \"laplacian\"}}, \"levels\": 2}"));
    }
}
