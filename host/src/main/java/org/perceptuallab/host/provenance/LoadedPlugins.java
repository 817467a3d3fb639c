package org.perceptuallab.host.provenance;

import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.PluginHost;
import org.pf4j.PluginWrapper;

/**
 * The jars behind a host's loaded plugins, read once: each with its sha-256 and coordinates, for provenance
 * and for checking a matrix's pinned plugins.
 *
 * @param jars each started plugin's jar, by the plugin's origin as registries name it ({@link PluginHost#origin});
 *     development plugins (folders of classes) have none
 * @param provenance every started plugin as provenance records it
 */
public record LoadedPlugins(Map<String, PluginJar> jars, List<Provenance.LoadedPlugin> provenance) {

    public static LoadedPlugins of(PluginHost host) {
        Map<String, PluginJar> jars = new LinkedHashMap<>();
        for (PluginWrapper w : host.plugins()) {
            if (Files.isRegularFile(w.getPluginPath())) {
                try {
                    jars.put(PluginHost.origin(w), PluginJar.read(w.getPluginPath()));
                } catch (PlabException unreadable) {
                    // PF4J loaded what this cannot read: its provenance names the plugin without a digest.
                }
            }
        }
        List<Provenance.LoadedPlugin> provenance = host.plugins().stream().map(w -> {
            PluginJar jar = jars.get(PluginHost.origin(w));
            return new Provenance.LoadedPlugin(w.getPluginId(), w.getDescriptor().getVersion(),
                    w.getPluginPath().toString(), jar == null ? null : jar.sha256(),
                    jar == null ? null : jar.coordinates().map(Coordinates::toString).orElse(null));
        }).toList();
        return new LoadedPlugins(Map.copyOf(jars), provenance);
    }

    /** The jar of the same group and artifact as {@code coordinates}, of any version, among {@code jars}. */
    public static Optional<PluginJar> find(Coordinates coordinates, List<PluginJar> jars) {
        return jars.stream().filter(j -> j.coordinates().map(c -> c.key().equals(coordinates.key())).orElse(false))
                .findFirst();
    }
}
