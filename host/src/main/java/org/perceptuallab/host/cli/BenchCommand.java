package org.perceptuallab.host.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.bench.Bench;
import org.perceptuallab.host.bench.Workload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code plab bench}: forward + backward timings against the reference implementation's. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time forward+backward w.r.t. x (median after warm-up) for workloads LOSS@NxCxS,"
                + " e.g. l2@8x3x128. Without workloads: every reference workload whose loss is installed.")
public final class BenchCommand extends LabCommand {
    @Parameters(arity = "0..*", paramLabel = "WORKLOAD", description = "LOSS@NxCxS names.")
    List<String> names = new ArrayList<>();

    @Option(names = {"-p", "--param"}, paramLabel = "KEY=VALUE", description = "Loss parameter override.")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--warmup",
            description = "Untimed runs first, at least 0.5 s of them unless 0 (default: ${DEFAULT-VALUE}).")
    int warmup = 2;

    @Option(names = "--repeat",
            description = "Timed runs, at least 1 s of them; the median is reported (default: ${DEFAULT-VALUE}).")
    int repeat = 5;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    protected int run(Lab lab) throws Exception {
        List<Workload> workloads = new ArrayList<>();
        if (names.isEmpty()) {
            Workload.references().values().stream()
                    .filter(w -> lab.losses().families().find(w.spec().id()).isPresent())
                    .forEach(workloads::add);
        } else {
            names.forEach(n -> workloads.add(Workload.parse(n, ParamValues.toJson(params))));
        }
        ArrayNode array = new ObjectMapper().createArrayNode();
        if (!json) {
            out().printf("# %s, threads %s%n", lab.backendDescription(),
                    global().threads == 0 ? "default" : global().threads);
            out().printf("%-22s %12s %12s %8s %8s %10s%n", "workload", "median s", "reference s", "ratio",
                    "target", "peak MiB");
        }
        for (Workload w : workloads) {
            Bench.Result r = Bench.run(lab, w, warmup, repeat);
            if (json) {
                ObjectNode o = array.addObject();
                o.put("workload", w.name());
                o.set("loss", w.spec().json());
                o.put("medianSeconds", r.medianSeconds());
                Arrays.stream(r.runs()).forEach(o.putArray("runs")::add);
                o.put("referenceSeconds", w.referenceSeconds());
                o.put("ratio", r.ratio());
                o.put("targetRatio", w.targetRatio());
                o.put("peakRssMib", r.peakRssMib());
            } else {
                out().printf("%-22s %12.5f %12.5f %8.3f %8.3f %10d%n", w.name(), r.medianSeconds(),
                        w.referenceSeconds(), r.ratio(), w.targetRatio(), r.peakRssMib());
                out().flush();
            }
        }
        if (json) {
            out().println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(array));
        }
        return 0;
    }
}
