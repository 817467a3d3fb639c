package org.perceptuallab.host.provenance;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What produced a cell's outcome, so that another lab can say exactly what ran: built once, when the cell
 * ends, from small records each of which one part of the host knows, and read back as itself.
 *
 * @param experiment the experiment's id, canonical params and plugin
 * @param loss the loss's canonical spec (as the built loss states it) and plugin
 * @param run the seed, data, device and command of the run
 * @param software the host, api, DJL, engine, JVM and operating system
 * @param timing when the cell started and ended
 * @param plugins every loaded plugin: id, version, jar, the jar's sha-256 and Maven coordinates
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Provenance(Component experiment, LossComponent loss, Run run, Software software, Timing timing,
                         List<LoadedPlugin> plugins) {

    /** What a record's provenance cannot be without (a file may hold anything). */
    public Provenance {
        if (experiment == null || loss == null || run == null || software == null || timing == null) {
            throw new IllegalArgumentException("a cell's provenance needs 'experiment', 'loss', 'run', 'software'"
                    + " and 'timing'");
        }
        plugins = plugins == null ? List.of() : List.copyOf(plugins);
    }

    /**
     * Reads both layouts: this one, and the flat one of result schema 1 (every field at the top level), so
     * that results an earlier plab wrote keep their provenance.
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static Provenance read(JsonNode node) throws java.io.IOException {
        ObjectMapper json = new ObjectMapper();
        if (node.has("run")) {
            return new Provenance(json.treeToValue(node.get("experiment"), Component.class),
                    json.treeToValue(node.get("loss"), LossComponent.class), json.treeToValue(node.get("run"), Run.class),
                    json.treeToValue(node.get("software"), Software.class),
                    json.treeToValue(node.get("timing"), Timing.class), plugins(json, node));
        }
        List<String> commandLine = new ArrayList<>();
        node.path("commandLine").forEach(a -> commandLine.add(a.asText()));
        return new Provenance(json.treeToValue(node.get("experiment"), Component.class),
                json.treeToValue(node.get("loss"), LossComponent.class),
                new Run(node.path("seed").asLong(), node.path("engineSeed").asInt(), node.get("data"),
                        node.path("device").asText(null), node.path("threads").asInt(), commandLine,
                        node.path("baseDir").asText(null)),
                new Software(node.path("hostVersion").asText(null), node.path("apiVersion").asText(null),
                        node.path("djl").asText(null), node.path("engine").asText(null),
                        node.path("java").asText(null), node.path("os").asText(null)),
                new Timing(node.path("started").asText(null), node.path("ended").asText(null),
                        node.path("seconds").asDouble()), plugins(json, node));
    }

    private static List<LoadedPlugin> plugins(ObjectMapper json, JsonNode node) throws java.io.IOException {
        List<LoadedPlugin> out = new ArrayList<>();
        for (JsonNode p : node.path("plugins")) {
            out.add(json.treeToValue(p, LoadedPlugin.class));
        }
        return out;
    }

    /** An experiment: id, canonical params, the plugin it came from. */
    public record Component(String id, JsonNode params, String plugin) {
    }

    /** A loss: canonical spec and plugin. */
    public record LossComponent(JsonNode spec, String plugin) {
    }

    /**
     * The run's side of a cell.
     *
     * @param seed the run's seed, whole
     * @param engineSeed the 32-bit seed the engine's generator got, mixed from {@code seed}
     * @param data the data's identity (path, files, sha-256), where the experiment reads data
     * @param device the device the cell ran on
     * @param threads the engine's intra-op threads (0: the engine's default)
     * @param commandLine the command that ran the cell
     * @param baseDir the folder the experiment's data paths are relative to (the matrix file's): plab reproduce
     *     reruns the cell from there
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Run(long seed, int engineSeed, JsonNode data, String device, int threads, List<String> commandLine,
                      String baseDir) {
        public Run {
            commandLine = commandLine == null ? List.of() : List.copyOf(commandLine);
        }
    }

    /** The software that ran a cell: host, api, DJL, engine (name and version), JVM, operating system. */
    public record Software(String host, String api, String djl, String engine, String java, String os) {
    }

    /** When a cell started and ended (ISO-8601), and its wall time. */
    public record Timing(String started, String ended, double seconds) {
        /** From {@code start} to now. */
        public static Timing since(Instant start) {
            Instant end = Instant.now();
            return new Timing(start.toString(), end.toString(), Duration.between(start, end).toMillis() / 1000.0);
        }
    }

    /** A loaded plugin jar; {@code coordinates} (group:artifact:version) where the jar names them. */
    public record LoadedPlugin(String id, String version, String jar, String sha256, String coordinates) {
        /** As the host names a plugin in registries and provenance ({@code PluginHost.origin}). */
        public String origin() {
            return "plugin " + id + " " + version;
        }
    }
}
