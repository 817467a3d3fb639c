package org.perceptuallab.host.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.Metric;
import org.perceptuallab.host.run.CellOutcome;

/** The report's model is computed from outcomes alone: ranks, order, best values and failures, no HTML read. */
class ReportModelTest {

    private static CellOutcome.Done done(String experiment, String loss, String metric, double value,
                                         Metric.Better better) {
        return new CellOutcome.Done(experiment, loss, null, Map.of(metric, value),
                Map.of(metric, new CellOutcome.MetricType(better, Metric.Kind.VALUE)), metric, null, null, null, null,
                false, null);
    }

    @Test
    void theOverviewRanksEachExperimentByItsHeadlinesDirectionAndOrdersLossesByExperimentsThenMeanRank(
            @TempDir Path tmp) {
        List<CellOutcome> cells = List.of(
                done("2afc", "l2", "agreement", 0.70, Metric.Better.HIGHER),
                done("2afc", "vgg", "agreement", 0.80, Metric.Better.HIGHER),
                done("2afc", "ssim", "agreement", 0.75, Metric.Better.HIGHER),
                done("mean", "l2", "distance", 0.10, Metric.Better.LOWER),
                done("mean", "vgg", "distance", 0.30, Metric.Better.LOWER),
                new CellOutcome.Failed("mean", "ssim", null, "out of memory", null, null, null),
                done("solo", "lpips", "agreement", 0.99, Metric.Better.HIGHER));
        List<String> warnings = new ArrayList<>();
        ReportModel model = ReportModel.of("m", cells, List.of(), Map.of(), tmp, warnings::add);

        assertThat(model.overview().columns()).extracting(ReportModel.Overview.Column::experiment)
                .containsExactly("2afc", "mean", "solo");
        // vgg (ranks 1, 2) and l2 (3, 1) ran in two ranked experiments, lpips (1) and ssim (2) in one each.
        assertThat(model.overview().rows()).extracting(ReportModel.Overview.Row::loss)
                .containsExactly("vgg", "l2", "lpips", "ssim");
        ReportModel.Overview.Row vgg = model.overview().rows().get(0);
        assertThat(vgg.values().get(0).rank()).isEqualTo(1);
        assertThat(vgg.values().get(1).rank()).isEqualTo(2);
        assertThat(vgg.meanRank()).isEqualTo(1.5);
        assertThat(model.overview().rows().get(1).meanRank()).isEqualTo(2.0);
        assertThat(model.overview().rows().get(3).values().get(1)).as("a failed cell has no value").isNull();
        assertThat(model.failures()).containsExactly(new ReportModel.FailedCell("mean", "ssim", "out of memory"));
        assertThat(model.counts()).isEqualTo(new ReportModel.Counts(7, 6, 1, 0, 0));
        ReportModel.Details mean = model.experiments().get(1).details();
        assertThat(mean.rows()).extracting(r -> r.values().isEmpty() ? null : r.values().get(0))
                .containsExactly(new ReportModel.Value("0.1000", true), new ReportModel.Value("0.3000", false), null);
        assertThat(warnings).isEmpty();
        assertThat(model.experiments()).allSatisfy(e -> assertThat(e.crossEvaluation()).isNull());
    }

    private static CellOutcome.Done trained(String loss, long seed, double underL2, double underVgg) {
        Map<String, Double> metrics = Map.of("swd", underL2 + underVgg, ReportModel.UNDER + "l2", underL2,
                ReportModel.UNDER + "vgg", underVgg);
        Map<String, CellOutcome.MetricType> types = new HashMap<>();
        metrics.keySet().forEach(m -> types.put(m, new CellOutcome.MetricType(Metric.Better.LOWER,
                Metric.Kind.DISTANCE)));
        return new CellOutcome.Done("glo", loss, JsonNodeFactory.instance.objectNode().put("seed", seed), metrics,
                types, "swd", null, null, null, null, false, null);
    }

    @Test
    void theCrossEvaluationTableHasOneRowPerTrainingLossOneColumnPerJudgeAndRanksTheSeedMeansInEachColumn(
            @TempDir Path tmp) {
        List<CellOutcome> cells = List.of(trained("l2", 0, 0.10, 0.50), trained("l2", 1, 0.12, 0.70),
                trained("vgg", 0, 0.20, 0.30), trained("vgg", 1, 0.22, 0.32));
        ReportModel.CrossEvaluation cross = ReportModel.of("m", cells, List.of(), Map.of(), tmp, w -> { })
                .experiments().get(0).crossEvaluation();

        assertThat(cross.under()).containsExactlyInAnyOrder("l2", "vgg");
        int l2Column = cross.under().indexOf("l2");
        int vggColumn = cross.under().indexOf("vgg");
        assertThat(cross.rows()).extracting(ReportModel.CrossRow::trainedWith).containsExactly("l2", "vgg");
        ReportModel.CrossRow l2 = cross.rows().get(0);
        ReportModel.CrossRow vgg = cross.rows().get(1);
        // Under l2 the l2-trained models are better (0.11 < 0.21); under vgg the vgg-trained ones (0.31 < 0.60).
        assertThat(l2.values().get(l2Column).rank()).isEqualTo(1);
        assertThat(vgg.values().get(l2Column).rank()).isEqualTo(2);
        assertThat(vgg.values().get(vggColumn).rank()).isEqualTo(1);
        assertThat(l2.values().get(vggColumn).value()).isEqualTo(ReportModel.number(0.6) + " \u00b1 "
                + ReportModel.number(Math.sqrt(0.02)) + " (n = 2)");
    }
}
