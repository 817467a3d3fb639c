package org.perceptuallab.host.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.perceptuallab.host.share.SharingSettings;
import picocli.CommandLine.Option;

/** Where plugins are resolved from, and whether they must be signed: shared by the commands that install. */
final class RepositoryOptions {
    @Option(names = "--repo", paramLabel = "URL", description = {"A Maven repository (file, http or https URL, or a"
            + " folder) to resolve from; repeatable. Default: 'repositories' of HOME/settings.yaml, else the active"
            + " profiles of ~/.m2/settings.xml."})
    List<String> repositories = new ArrayList<>();

    @Option(names = "--require-signature", description = {"Install only jars with a valid .asc signature by a"
            + " trusted key ('plab trust add'), even in a lab that trusts no key; also 'requireSignature: true' in"
            + " HOME/settings.yaml."})
    boolean requireSignature;

    @Option(names = "--allow-untrusted", description = {"In a lab that trusts keys, install also an unsigned jar or"
            + " one signed by a key not trusted here (recorded as unverified); refused without it."})
    boolean allowUntrusted;

    SharingSettings load(Path home) {
        return SharingSettings.load(home, repositories, requireSignature, allowUntrusted);
    }
}
