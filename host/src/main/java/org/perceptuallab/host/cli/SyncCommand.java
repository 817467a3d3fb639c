package org.perceptuallab.host.cli;

import java.nio.file.Path;
import java.util.List;
import org.perceptuallab.host.Settings;
import org.perceptuallab.host.matrix.MatrixSpec;
import org.perceptuallab.host.provenance.PluginJar;
import org.perceptuallab.host.share.Installer;
import org.perceptuallab.host.share.MavenRepositories;
import org.perceptuallab.host.share.PluginFolders;
import org.perceptuallab.host.share.SharingSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code plab plugins sync MATRIX-FILE}. */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = "Install exactly the plugin jars a matrix file pins (coordinates and sha-256), replacing other"
                + " versions of them; a jar whose digest differs from the pin is refused.")
public final class SyncCommand extends PlabCommand {
    @Parameters(paramLabel = "MATRIX-FILE", description = "A matrix file with a 'plugins:' list.")
    Path file;

    @Mixin
    RepositoryOptions repositories = new RepositoryOptions();

    @Override
    public Integer call() {
        Settings settings = global().settings();
        MatrixSpec matrix = MatrixSpec.read(file);
        SharingSettings sharing = repositories.load(settings.home());
        int installed = installPins(settings, sharing, matrix.plugins(), new Installer(settings, sharing,
                out()));
        out().printf("%d pinned plugins, %d installed now%n", matrix.plugins().size(), installed);
        return 0;
    }

    /** Installs each pinned jar not already in a plugin folder with that digest; returns how many. */
    static int installPins(Settings settings, SharingSettings sharing, java.util.Collection<MatrixSpec.PinnedPlugin> pins,
                           Installer installer) {
        List<PluginJar> present = PluginFolders.jars(settings.pluginDirs());
        List<MatrixSpec.PinnedPlugin> missing = pins.stream()
                .filter(p -> !PluginFolders.holds(present, p.coordinates(), p.sha256())).toList();
        if (missing.isEmpty()) {
            return 0;
        }
        sharing.requireRepositories(settings.home());
        try (MavenRepositories repos = new MavenRepositories(sharing)) {
            // A pin names the version and bytes to run with: older or newer than the installed one alike.
            missing.forEach(p -> installer.install(repos.resolve(p.coordinates()), true, p.sha256()));
        }
        return missing.size();
    }
}
