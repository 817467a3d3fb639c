package org.perceptuallab.host.matrix;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What produced a cell's record, so that another lab can say exactly what ran.
 *
 * @param experiment the experiment's id, canonical params and plugin
 * @param loss the loss's canonical spec and plugin
 * @param seed the run's seed, whole
 * @param engineSeed the 32-bit seed the engine's generator got, mixed from {@code seed}
 * @param data the data's identity (path, files, sha-256), where the experiment reads data
 * @param hostVersion the host's version
 * @param apiVersion the api the host provides
 * @param djl the DJL version
 * @param engine the engine and its version (PyTorch 2.7.1)
 * @param device the device the cell ran on
 * @param threads the engine's intra-op threads (0: the engine's default)
 * @param java the JVM's version
 * @param os the operating system and architecture
 * @param commandLine the command that ran the cell
 * @param plugins every loaded plugin: id, version, jar, the jar's sha-256 and Maven coordinates
 * @param baseDir the folder the experiment's data paths are relative to (the matrix file's): plab reproduce reruns
 *     the cell from there
 * @param started when the cell started (ISO-8601)
 * @param ended when it ended
 * @param seconds its wall time
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Provenance(Component experiment, LossComponent loss, long seed, int engineSeed, JsonNode data,
                         String hostVersion, String apiVersion, String djl, String engine, String device, int threads,
                         String java, String os, List<String> commandLine, List<PluginJar> plugins, String baseDir,
                         String started,
                         String ended, double seconds) {

    /** What a record's provenance cannot be without (a file may hold anything). */
    public Provenance {
        if (experiment == null || loss == null) {
            throw new IllegalArgumentException("a cell's provenance needs 'experiment' and 'loss'");
        }
    }

    /** An experiment: id, canonical params, the plugin it came from. */
    public record Component(String id, JsonNode params, String plugin) {
    }

    /** A loss: canonical spec and plugin. */
    public record LossComponent(JsonNode spec, String plugin) {
    }

    /** A loaded plugin jar; {@code coordinates} (group:artifact:version) where the jar names them. */
    public record PluginJar(String id, String version, String jar, String sha256, String coordinates) {
    }

    /** The same provenance, finished at {@code ended} after {@code seconds}. */
    Provenance ended(String endedAt, double wallSeconds) {
        return new Provenance(experiment, loss, seed, engineSeed, data, hostVersion, apiVersion, djl, engine, device,
                threads, java, os, commandLine, plugins, baseDir, started, endedAt, wallSeconds);
    }

    /** The same provenance with the loss's canonical spec as the built loss states it. */
    Provenance withLossSpec(JsonNode spec) {
        return new Provenance(experiment, new LossComponent(spec, loss.plugin()), seed, engineSeed, data, hostVersion,
                apiVersion, djl, engine, device, threads, java, os, commandLine, plugins, baseDir, started, ended,
                seconds);
    }
}
