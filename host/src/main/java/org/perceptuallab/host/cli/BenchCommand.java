package org.perceptuallab.host.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.bench.Bench;
import org.perceptuallab.host.bench.CellBench;
import org.perceptuallab.host.bench.Workload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code plab bench}: forward + backward timings against the reference implementation's. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Time forward+backward w.r.t. x (median after warm-up) for workloads LOSS@NxCxS, e.g."
                + " l2@8x3x128, and whole cells EXPERIMENT:LOSS@NxS (2afc:l2@6000x64: N synthetic triplets made from"
                + " --photos; image-mean:vgg@8x64: N crops), timed by the cell's own record after a warm-up cell with"
                + " l2 that fills the decoded-image cache. Without workloads: every reference loss workload whose loss"
                + " is installed."})
public final class BenchCommand extends LabCommand {
    @Parameters(arity = "0..*", paramLabel = "WORKLOAD", description = "LOSS@NxCxS names.")
    List<String> names = new ArrayList<>();

    @Option(names = {"-p", "--param"}, paramLabel = "KEY=VALUE", description = "Loss parameter override.")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--warmup",
            description = "Untimed runs first, at least 0.5 s of them unless 0 (default: ${DEFAULT-VALUE}).")
    int warmup = 2;

    @Option(names = "--repeat", paramLabel = "N", description = "Timed runs, the median reported; of a loss at least"
            + " 1 s of them (default: 5 of a loss, 1 of a whole cell).")
    Integer repeat;

    @Option(names = "--photos", paramLabel = "DIR",
            description = "Photos whole-cell workloads make their data from (default: ${DEFAULT-VALUE}).")
    Path photos = Path.of("examples", "data", "photos");

    @Option(names = "--work", paramLabel = "DIR", description = "Where whole-cell workloads keep their data, cache"
            + " and runs between benchmarks (default: ${DEFAULT-VALUE}).")
    Path work = Path.of("plab-output", "bench");

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    protected int run(Lab lab) throws Exception {
        List<Workload> workloads = new ArrayList<>();
        if (names.isEmpty()) {
            Workload.references().values().stream()
                    .filter(w -> w.experiment() == null && lab.losses().families().find(w.spec().id()).isPresent())
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
        CellBench cells = workloads.stream().anyMatch(w -> w.experiment() != null) ? new CellBench(lab, work, photos)
                : null;
        for (Workload w : workloads) {
            Bench.Result r = w.experiment() != null ? cells.run(w, warmup, repeat == null ? 1 : repeat)
                    : Bench.run(lab, w, warmup, repeat == null ? 5 : repeat);
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
