package org.perceptuallab.runtime.conformance;

import static org.perceptuallab.runtime.conformance.Check.number;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.ExperimentResult;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Metric;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PreparationContext;
import org.perceptuallab.runtime.cell.Preparation;
import org.perceptuallab.api.Progress;
import org.perceptuallab.runtime.catalog.LabContext;
import org.perceptuallab.runtime.catalog.LossCatalog;
import org.perceptuallab.runtime.cell.CellContext;
import org.perceptuallab.runtime.cell.FolderCellState;
import org.perceptuallab.runtime.conformance.Check.Outcome;

/**
 * The experiment contract as checks, shared by {@code plab check} and the test kit's
 * {@code ExperimentContractTest}: the parameter spec, and one run on the tiny input the experiment makes
 * itself ({@link Experiment#tinyRun}), prepared and run as a matrix cell would be, against a mean squared
 * difference loss, returning a well-formed result.
 */
public final class ExperimentConformance {
    private static final long SEED = 11;

    private final LossCatalog catalog;
    private final NDManager manager;
    private final Path work;

    /**
     * @param catalog the losses a run may build for itself ({@code ExperimentContext.loss})
     * @param manager parent of the run's arrays
     * @param work an empty folder for the runs' inputs and outputs
     */
    public ExperimentConformance(LossCatalog catalog, NDManager manager, Path work) {
        this.catalog = catalog;
        this.manager = manager;
        this.work = work;
    }

    /** Subject of an experiment's checks: {@code experiment 'ID'}. */
    public static String subject(Experiment experiment) {
        return "experiment '" + experiment.id() + "'";
    }

    /** The experiment's checks. */
    public List<Check> checks(Experiment experiment) {
        String subject = subject(experiment);
        return List.of(
                new Check(subject, "parameter spec is valid", () -> {
                    List<String> problems = ParamSpecs.problems(subject, experiment.params(), List.of());
                    return Outcome.of(problems.isEmpty(), problems.isEmpty()
                            ? experiment.params().params().size() + " parameter(s)" : String.join("; ", problems));
                }),
                new Check(subject, "a tiny run finishes with a well-formed result", () -> tinyRun(experiment)));
    }

    private Outcome tinyRun(Experiment experiment) throws Exception {
        String subject = subject(experiment);
        Path folder = work.resolve(experiment.id());
        Path input = folder.resolve("input");
        Files.createDirectories(input);
        Optional<ObjectNode> given = experiment.tinyRun(input);
        if (given.isEmpty()) {
            return Outcome.notApplicable("it makes no tiny input of its own (override Experiment.tinyRun to have"
                    + " its run checked)");
        }
        long start = System.nanoTime();
        ObjectNode prepared = experiment.prepare(given.get().deepCopy(), preparation(folder.resolve("prepared"), input));
        Params params = experiment.params().resolve(subject, prepared);
        LossCatalog probes = new LossCatalog();
        probes.families().add(new ProbeLoss(), "plab check");
        Path out = folder.resolve("out");
        Files.createDirectories(out);
        ExperimentResult result;
        try (NDManager cell = manager.newSubManager();
             Loss loss = probes.create(LossSpec.of(ProbeLoss.ID), LabContext.of(cell, SEED, catalog));
             CellContext context = new CellContext(cell, SEED, out, FolderCellState.open(folder.resolve("out.state")),
                     input::resolve, catalog, null, (task, total) -> Progress.silent(), null)) {
            result = experiment.run(params, loss, context);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (result == null) {
            return Outcome.failed("run returned null; return an ExperimentResult (ExperimentResult.builder())");
        }
        List<String> problems = problems(result, out);
        String metrics = result.metrics().entrySet().stream().limit(4)
                .map(m -> m.getKey() + "=" + number(m.getValue().value())).collect(Collectors.joining(", "));
        return Outcome.of(problems.isEmpty(), problems.isEmpty()
                ? "finished in " + number(seconds) + " s with " + params.json() + ": " + metrics
                + (result.metrics().size() > 4 ? ", ..." : "")
                : String.join("; ", problems));
    }

    /** What makes a result unusable to the report: no figures, figures that are not numbers, missing images. */
    private static List<String> problems(ExperimentResult result, Path out) {
        List<String> problems = new ArrayList<>();
        if (result.metrics().isEmpty()) {
            problems.add("the result has no metrics: the report would show an empty row");
        }
        for (Map.Entry<String, Metric> m : result.metrics().entrySet()) {
            if (!Double.isFinite(m.getValue().value())) {
                problems.add("metric '" + m.getKey() + "' is " + m.getValue().value());
            }
        }
        for (Map.Entry<String, String> image : result.images().entrySet()) {
            if (!Files.isRegularFile(out.resolve(image.getValue()))) {
                problems.add("image '" + image.getKey() + "' names " + image.getValue()
                        + ", which is not a file under the output folder");
            }
        }
        for (Map.Entry<String, List<Double>> curve : result.curves().entrySet()) {
            if (curve.getValue().stream().anyMatch(v -> v == null)) {
                problems.add("curve '" + curve.getKey() + "' holds null values");
            }
        }
        return problems;
    }

    private static PreparationContext preparation(Path folder, Path input) {
        PrintWriter log = new PrintWriter(Writer.nullWriter());
        return new Preparation(folder, input::resolve, log);
    }
}
