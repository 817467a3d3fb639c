package org.perceptuallab.host.share;

import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.PluginHost;
import org.perceptuallab.host.matrix.MatrixSpec;
import org.pf4j.PluginWrapper;

/**
 * The jars behind the loaded plugins (coordinates and sha-256, for provenance), and the check of a matrix's
 * pinned plugins against them.
 */
public final class PluginPins {
    private PluginPins() {
    }

    /** Each started plugin's jar, by the plugin's origin as registries name it ({@link PluginHost#origin}). */
    public static Map<String, PluginJar> loadedJars(PluginHost host) {
        Map<String, PluginJar> out = new LinkedHashMap<>();
        for (PluginWrapper w : host.plugins()) {
            // A development plugin is a folder of classes, not a jar: it has no digest to record.
            if (Files.isRegularFile(w.getPluginPath())) {
                try {
                    out.put(PluginHost.origin(w), PluginJar.read(w.getPluginPath()));
                } catch (PlabException unreadable) {
                    // PF4J loaded what this cannot read: its provenance names the plugin without a digest.
                }
            }
        }
        return out;
    }

    /**
     * Refuses to run a matrix when a pinned plugin is not loaded, or is loaded in another version or with
     * other bytes; the message names both digests and the command that installs the pinned jars.
     */
    public static void requireMet(MatrixSpec spec, Map<String, PluginJar> loaded) {
        for (MatrixSpec.PinnedPlugin pin : spec.plugins()) {
            Optional<PluginJar> same = find(pin.coordinates(), loaded.values().stream().toList());
            String fix = "; run 'plab plugins sync MATRIX-FILE' to install the pinned jars";
            if (same.isEmpty()) {
                throw new PlabException("matrix " + spec.name() + " pins plugin " + pin.coordinates() + " (sha-256 "
                        + pin.sha256() + "), which is not installed" + fix);
            }
            PluginJar jar = same.get();
            Coordinates installed = jar.coordinates().orElseThrow();
            if (!installed.equals(pin.coordinates()) || !jar.sha256().equals(pin.sha256())) {
                throw new PlabException("matrix " + spec.name() + " pins plugin " + pin.coordinates() + " with sha-256 "
                        + pin.sha256() + ", but the installed plugin '" + jar.id() + "' (" + jar.path() + ") is "
                        + installed + " with sha-256 " + jar.sha256() + fix);
            }
        }
    }

    /** The loaded jar of the same group and artifact as {@code coordinates}, of any version. */
    public static Optional<PluginJar> find(Coordinates coordinates, List<PluginJar> jars) {
        return jars.stream().filter(j -> j.coordinates().map(c -> c.key().equals(coordinates.key())).orElse(false))
                .findFirst();
    }
}
