package org.perceptuallab.host.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.check.PluginCheck;
import org.perceptuallab.runtime.conformance.CheckResult.Status;
import org.perceptuallab.runtime.conformance.CheckResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code plab check PLUGIN.jar}: whether a plugin jar keeps the plugin contract, one line per check. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Check that a plugin jar keeps the plugin contract, loaded as the host loads it: its manifest,"
                + " api range and bundled classes, that it loads, ids free among the installed plugins; each loss"
                + " family in each of its example configurations (shape, zero at x = y, gradients, batch"
                + " independence, seeds, memory, bad input, feature map, symmetry, time); each experiment's"
                + " parameters and one tiny run. See docs/PLUGINS.md.",
                "Exit 0 when no check failed, 1 when one did, 2 when the jar cannot be read."})
public final class CheckCommand extends LabCommand {
    @Parameters(index = "0", paramLabel = "PLUGIN.jar", description = "The plugin jar to check.")
    Path jar;

    @Option(names = "--json", description = "Print the results as JSON instead of lines.")
    boolean json;

    @Override
    protected int run(Lab lab) throws Exception {
        String[] subject = {null};
        PluginCheck.Report report = PluginCheck.run(lab, jar, result -> {
            if (json) {
                return;
            }
            if (!result.subject().equals(subject[0])) {
                subject[0] = result.subject();
                out().println(result.subject());
            }
            out().printf("  %-15s %s: %s%n", result.status().label(), result.check(), result.detail());
            out().flush();
        });
        if (json) {
            out().println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(toJson(report)));
        } else {
            out().println(report.count(Status.PASSED) + " passed, " + report.count(Status.FAILED) + " failed, "
                    + report.count(Status.NOT_APPLICABLE) + " not applicable: plugin " + report.plugin()
                    + (report.passed() ? " keeps the plugin contract" : " does NOT keep the plugin contract"));
        }
        return report.passed() ? 0 : 1;
    }

    private static ObjectNode toJson(PluginCheck.Report report) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("jar", report.jar().toAbsolutePath().toString());
        root.put("plugin", report.plugin());
        root.put("passed", report.passed());
        ObjectNode counts = root.putObject("counts");
        for (Status s : Status.values()) {
            counts.put(s.name().toLowerCase(java.util.Locale.ROOT), report.count(s));
        }
        ArrayNode checks = root.putArray("checks");
        for (CheckResult r : report.results()) {
            checks.addObject().put("subject", r.subject()).put("check", r.check())
                    .put("status", r.status().name().toLowerCase(java.util.Locale.ROOT)).put("detail", r.detail());
        }
        return root;
    }
}
