package org.perceptuallab.host.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.perceptuallab.api.PlabException;
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

    @Option(names = "--processes", paramLabel = "N", description = "Run the benchmark in N fresh processes, one after"
            + " another, and report the median of their medians and its spread (max/min): on a virtual machine two"
            + " processes can differ by 25%% while the runs within one agree to 5%% (default: ${DEFAULT-VALUE}).")
    int processes = 1;

    @Override
    protected int run(Lab lab) throws Exception {
        if (processes < 1) {
            throw new PlabException("bench: --processes must be at least 1, got " + processes);
        }
        if (processes > 1) {
            return acrossProcesses();
        }
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

    /** Runs this benchmark in fresh child processes, one at a time, and reports the median of their medians. */
    private int acrossProcesses() throws IOException, InterruptedException {
        ObjectMapper mapper = new ObjectMapper();
        List<String> command = childCommand();
        Map<String, List<JsonNode>> byWorkload = new LinkedHashMap<>();
        for (int i = 1; i <= processes; i++) {
            Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            byte[] output = child.getInputStream().readAllBytes();
            int exit = child.waitFor();
            if (exit != 0) {
                throw new PlabException("bench: process " + i + " of " + processes + " ended with exit code " + exit
                        + " (its messages are above); run once without --processes to see the fault");
            }
            for (JsonNode o : mapper.readTree(output)) {
                byWorkload.computeIfAbsent(o.get("workload").asText(), k -> new ArrayList<>()).add(o);
            }
        }
        ArrayNode array = mapper.createArrayNode();
        if (!json) {
            out().printf("# %d processes, the median of their medians%n", processes);
            out().printf("%-22s %12s %12s %8s %8s %8s%n", "workload", "median s", "reference s", "ratio", "target",
                    "spread");
        }
        for (Map.Entry<String, List<JsonNode>> e : byWorkload.entrySet()) {
            double[] medians = e.getValue().stream().mapToDouble(o -> o.get("medianSeconds").asDouble()).toArray();
            double median = Bench.median(medians);
            double spread = Arrays.stream(medians).max().orElseThrow() / Arrays.stream(medians).min().orElseThrow();
            JsonNode first = e.getValue().get(0);
            double reference = first.path("referenceSeconds").asDouble(Double.NaN);
            if (json) {
                ObjectNode o = array.addObject();
                o.put("workload", e.getKey());
                o.set("loss", first.get("loss"));
                o.put("medianSeconds", median);
                Arrays.stream(medians).forEach(o.putArray("processMedians")::add);
                o.put("spread", spread);
                o.put("referenceSeconds", reference);
                o.put("ratio", median / reference);
                o.set("targetRatio", first.get("targetRatio"));
                o.put("peakRssMib", e.getValue().stream().mapToLong(x -> x.get("peakRssMib").asLong()).max().orElse(0));
            } else {
                out().printf("%-22s %12.5f %12.5f %8.3f %8.3f %8.3f%n", e.getKey(), median, reference,
                        median / reference, first.path("targetRatio").asDouble(Double.NaN), spread);
            }
        }
        if (json) {
            out().println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(array));
        }
        return 0;
    }

    /**
     * This JVM's command with this command line, less --processes and --json, plus --json: the same JVM options
     * and plab system properties (the plugin folder), the same class path.
     */
    private List<String> childCommand() {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("plab.")).sorted()
                .forEach(k -> command.add("-D" + k + "=" + System.getProperty(k)));
        // the root command's class is plab's main class (named by reflection: Plab lists this command)
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                spec.root().userObject().getClass().getName()));
        List<String> original = spec.root().commandLine().getParseResult().originalArgs();
        for (int i = 0; i < original.size(); i++) {
            String arg = original.get(i);
            if (arg.equals("--processes")) {
                i++; // and its value
            } else if (!arg.startsWith("--processes=") && !arg.equals("--json")) {
                command.add(arg);
            }
        }
        command.add("--json");
        return command;
    }
}
