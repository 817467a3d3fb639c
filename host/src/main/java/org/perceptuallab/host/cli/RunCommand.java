package org.perceptuallab.host.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.matrix.MatrixRunner;
import org.perceptuallab.host.matrix.MatrixSpec;
import org.perceptuallab.host.run.RunConfiguration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code plab run EXPERIMENT --loss ID}: one cell, run and stored exactly as a matrix cell. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run one experiment against one loss (a one-cell matrix) and write its result and report.")
public final class RunCommand extends LabCommand {
    @Parameters(index = "0", paramLabel = "EXPERIMENT", description = "Experiment id (see 'plab experiments').")
    String experiment;

    @Option(names = "--loss", required = true, paramLabel = "ID", description = "Loss id (see 'plab losses').")
    String lossId;

    @Option(names = {"-p", "--param"}, paramLabel = "KEY=VALUE",
            description = "Loss parameter; VALUE is JSON where it parses, else text.")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = {"-e", "--exp-param"}, paramLabel = "KEY=VALUE",
            description = "Experiment parameter (data paths relative to the working folder).")
    Map<String, String> expParams = new LinkedHashMap<>();

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: plab-output/run-EXPERIMENT-LOSS).")
    Path out;

    @Override
    protected int run(Lab lab) throws Exception {
        ObjectNode given = ParamValues.toJson(expParams);
        LossSpec loss = new LossSpec(lossId, ParamValues.toJson(params));
        String name = "run-" + experiment + "-" + lossId;
        MatrixSpec matrix = MatrixSpec.of(name, Path.of("").toAbsolutePath(),
                List.of(new MatrixSpec.ExperimentEntry(experiment, experiment, given)),
                MatrixSpec.LossChoice.of(List.of(new MatrixSpec.LossEntry(loss.toString(), loss))));
        Path output = out != null ? out : Path.of("plab-output", name.replaceAll("[^A-Za-z0-9._-]+", "_"));
        MatrixRunner.Result outcome = new MatrixRunner(lab, err()).run(matrix,
                RunConfiguration.of(lab.settings(), output).withRetryFailed(true));
        out().println(output.resolve("results.csv").toAbsolutePath().normalize());
        out().println(outcome.report().toAbsolutePath().normalize());
        return outcome.failed() > 0 ? ExitCodes.FAILED : 0;
    }
}
