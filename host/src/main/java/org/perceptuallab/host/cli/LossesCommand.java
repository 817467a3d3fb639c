package org.perceptuallab.host.cli;

import org.perceptuallab.api.LossFamily;
import org.perceptuallab.host.Lab;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code plab losses}: every installed loss family with its plugin and parameters. */
@Command(name = "losses", mixinStandardHelpOptions = true,
        description = "List installed loss families: id, plugin, parameters with defaults and ranges.")
public final class LossesCommand extends LabCommand {
    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    protected int run(Lab lab) throws Exception {
        SpecText.list(out(), lab.losses().families().entries(), LossFamily::id, LossFamily::summary,
                LossFamily::params, json, "loss families");
        return 0;
    }
}
