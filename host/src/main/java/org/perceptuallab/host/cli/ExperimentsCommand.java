package org.perceptuallab.host.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.host.Lab;
import org.perceptuallab.kit.catalog.Registry;
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
        if (json) {
            ArrayNode array = new ObjectMapper().createArrayNode();
            for (Registry.Entry<Experiment> e : lab.experiments().entries()) {
                ObjectNode o = array.addObject();
                o.put("id", e.extension().id());
                o.put("summary", e.extension().summary());
                o.put("plugin", e.origin());
                o.set("params", SpecText.json(e.extension().params()));
            }
            out().println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(array));
            return 0;
        }
        for (Registry.Entry<Experiment> e : lab.experiments().entries()) {
            out().printf("%-12s %s  [%s]%n", e.extension().id(), e.extension().summary(), e.origin());
            SpecText.print(out(), e.extension().params());
        }
        out().printf("%d experiments installed%n", lab.experiments().entries().size());
        return 0;
    }
}
