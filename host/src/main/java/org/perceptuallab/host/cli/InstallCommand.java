package org.perceptuallab.host.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.perceptuallab.host.Settings;
import org.perceptuallab.host.provenance.Coordinates;
import org.perceptuallab.host.share.Installer;
import org.perceptuallab.host.share.MavenRepositories;
import org.perceptuallab.host.share.SharingSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code plab plugins install COORDINATES|FILE.jar ...}. */
@Command(name = "install", mixinStandardHelpOptions = true,
        description = {"Install plugins into the user plugin folder (HOME/plugins), from Maven repositories by"
                + " coordinates (group:artifact:version or a version range such as [1.0,2.0)) or from jar files.",
                "Checked first: the repository's checksums, the .asc signature against the trusted keys, the api the"
                        + " plugin requires, its id, its version; a refusal names the plugin and the reason (exit 2).",
                "Once this lab trusts a key ('plab trust add'), a jar no trusted key signed is refused unless"
                        + " --allow-untrusted; a lab that trusts no key installs it and records it as unverified."})
public final class InstallCommand extends PlabCommand {
    @Parameters(paramLabel = "COORDINATES|FILE.jar", arity = "1..*", description = "What to install.")
    List<String> targets;

    @Mixin
    RepositoryOptions repositories = new RepositoryOptions();

    @Option(names = "--force", description = "Install even an older version than the installed one.")
    boolean force;

    @Override
    public Integer call() {
        Settings settings = global().settings();
        SharingSettings sharing = repositories.load(settings.home());
        Installer installer = new Installer(settings, sharing, out());
        for (String target : targets) {
            if (target.endsWith(".jar") || Files.isRegularFile(Path.of(target))) {
                installer.install(Installer.local(Path.of(target)), force, null);
            } else {
                Coordinates coordinates = Coordinates.parse(target);
                sharing.requireRepositories(settings.home());
                try (MavenRepositories repos = new MavenRepositories(sharing)) {
                    installer.install(repos.resolve(coordinates), force, null);
                }
            }
        }
        return 0;
    }
}
