package org.perceptuallab.host.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.perceptuallab.host.Lab;
import org.perceptuallab.runtime.golden.GoldenOutcome;
import org.perceptuallab.runtime.golden.GoldenSuite;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code plab golden DIR}: checks the installed losses against a golden directory. */
@Command(name = "golden", mixinStandardHelpOptions = true,
        description = "Run every case of a golden directory (cases.json + .npz + weight files) and report"
                + " passed / failed / not installed / missing file. Exit 0 only when nothing failed.")
public final class GoldenCommand extends LabCommand {
    @Parameters(paramLabel = "DIR", description = "The golden directory, e.g. examples/golden.")
    Path dir;

    @Option(names = "--files", paramLabel = "FOLDER", description = "A further folder holding weight files the"
            + " cases name (repeatable), e.g. one with vgg16-features.pth, which does not ship with examples/golden.")
    List<Path> fileFolders = new ArrayList<>();

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    protected int run(Lab lab) throws Exception {
        GoldenSuite suite = GoldenSuite.load(dir, fileFolders);
        List<GoldenOutcome> outcomes = suite.run(lab.losses(), lab.manager());
        long failed = outcomes.stream().filter(o -> o.status() == GoldenOutcome.Status.FAILED).count();
        long passed = outcomes.stream().filter(o -> o.status() == GoldenOutcome.Status.PASSED).count();
        long missing = outcomes.stream().filter(o -> o.status() == GoldenOutcome.Status.MISSING_FILE).count();
        if (json) {
            ArrayNode array = new ObjectMapper().createArrayNode();
            for (GoldenOutcome o : outcomes) {
                ObjectNode n = array.addObject();
                n.put("case", o.goldenCase().name());
                n.put("loss", o.goldenCase().lossId());
                n.put("status", o.status().name().toLowerCase());
                Arrays.stream(o.expected()).forEach(n.putArray("expected")::add);
                Arrays.stream(o.actual()).forEach(n.putArray("actual")::add);
                n.put("relativeError", o.worstRelativeError());
                n.put("tolerance", o.goldenCase().relativeTolerance());
                n.put("message", o.message());
            }
            out().println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(array));
        } else {
            for (GoldenOutcome o : outcomes) {
                String name = String.format("%-22s %-11s", o.goldenCase().name(), o.goldenCase().lossId());
                switch (o.status()) {
                    case PASSED -> out().printf("passed         %s rel err %.2e (tol %.0e)%n", name,
                            o.worstRelativeError(), o.goldenCase().relativeTolerance());
                    case NOT_INSTALLED -> out().printf("not installed  %s%n", name);
                    case MISSING_FILE -> out().printf("missing file   %s %s (give its folder with --files)%n", name,
                            o.message().replaceFirst("^missing ", ""));
                    case FAILED -> out().printf("FAILED         %s expected %s got %s rel err %.2e (tol %.0e) %s%n",
                            name, Arrays.toString(o.expected()), Arrays.toString(o.actual()),
                            o.worstRelativeError(), o.goldenCase().relativeTolerance(), o.message());
                }
            }
            out().printf("%d passed, %d failed, %d not installed, %d missing a file (%s)%n", passed, failed,
                    outcomes.size() - passed - failed - missing, missing, dir);
        }
        return failed == 0 ? 0 : 1;
    }
}
