package org.perceptuallab.host.cli;

import java.util.List;
import java.util.Optional;
import org.perceptuallab.host.Settings;
import org.perceptuallab.host.Terminal;
import org.perceptuallab.host.provenance.Coordinates;
import org.perceptuallab.host.share.InstalledPlugins;
import org.perceptuallab.host.share.Installer;
import org.perceptuallab.host.share.MavenRepositories;
import org.perceptuallab.host.share.SharingSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code plab plugins update [ID]}. */
@Command(name = "update", mixinStandardHelpOptions = true,
        description = "Install the newest version of installed plugins (or of one), from the repository each came from"
                + " (or --repo), with the same checks as install.")
public final class UpdateCommand extends PlabCommand {
    @Parameters(paramLabel = "ID", arity = "0..1", description = "One plugin id (default: every installed plugin).")
    String id;

    @Mixin
    RepositoryOptions repositories = new RepositoryOptions();

    @Override
    public Integer call() {
        Settings settings = global().settings();
        SharingSettings configured = repositories.load(settings.home());
        Installer installer = new Installer(settings, configured, out());
        List<InstalledPlugins.Entry> entries = id == null ? installer.index().entries()
                : List.of(installer.index().require(id));
        for (InstalledPlugins.Entry entry : entries) {
            if (entry.coordinates().startsWith("local:")) {
                out().println(Terminal.safe("plugin '" + entry.id() + "' was installed from the file "
                        + entry.repository() + ", not from a repository: install its new jar to update it"));
                continue;
            }
            Coordinates installed = Coordinates.parse(entry.coordinates());
            // Its own repository first, unless --repo names others.
            SharingSettings from = repositories.repositories.isEmpty() && entry.repository().matches("(?i)(file|https?):.*")
                    ? configured.from(List.of(entry.repository())) : configured;
            try (MavenRepositories repos = new MavenRepositories(from)) {
                Optional<String> newest = repos.newest(installed);
                if (newest.isEmpty() || newest.get().equals(installed.version())) {
                    out().println(Terminal.safe("plugin '" + entry.id() + "' " + entry.coordinates()
                            + " is up to date"));
                    continue;
                }
                installer.install(repos.resolve(installed.withVersion(newest.get())), false, null);
            }
        }
        return 0;
    }
}
