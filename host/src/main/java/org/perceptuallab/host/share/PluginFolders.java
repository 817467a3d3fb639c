package org.perceptuallab.host.share;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.provenance.Coordinates;
import org.perceptuallab.host.provenance.PluginJar;

/** The plugin jars lying in plugin folders, read without loading them. */
public final class PluginFolders {
    private PluginFolders() {
    }

    /** Every readable plugin jar of these folders (files that are no plugin jar are left to PF4J to report). */
    public static List<PluginJar> jars(List<Path> folders) {
        List<PluginJar> out = new ArrayList<>();
        for (Path dir : folders) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "*.jar")) {
                for (Path jar : jars) {
                    try {
                        out.add(PluginJar.read(jar));
                    } catch (PlabException notAPlugin) {
                        // Not ours to judge here: 'plab plugins' lists it as a loading problem.
                    }
                }
            } catch (IOException e) {
                throw new PlabException("cannot list the plugin folder " + dir + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Whether a jar of exactly these coordinates and sha-256 lies in one of the folders. */
    public static boolean holds(List<PluginJar> jars, Coordinates coordinates, String sha256) {
        return jars.stream().anyMatch(j -> j.sha256().equals(sha256)
                && j.coordinates().map(coordinates::equals).orElse(false));
    }
}
