package org.perceptuallab.host.cli;

import org.perceptuallab.api.Experiment;
import org.perceptuallab.host.Lab;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code plab experiments}: every installed experiment with its plugin and parameters. */
@Command(name = "experiments", mixinStandardHelpOptions = true,
        description = "List installed experiments: id, plugin, parameters with defaults and ranges.")
public final class ExperimentsCommand extends LabCommand {
    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    protected int run(Lab lab) throws Exception {
        SpecText.list(out(), lab.experiments().entries(), Experiment::id, Experiment::summary,
                Experiment::params, json, "experiments");
        return 0;
    }
}
