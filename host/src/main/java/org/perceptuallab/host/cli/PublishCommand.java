package org.perceptuallab.host.cli;

import java.nio.file.Path;
import java.util.List;
import org.perceptuallab.host.Terminal;
import org.perceptuallab.host.provenance.Coordinates;
import org.perceptuallab.host.share.DetachedSigner;
import org.perceptuallab.host.share.Publisher;
import org.perceptuallab.host.share.SharingSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code plab plugins publish JAR --repo DIR|URL [--sign KEY]}. */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {"Publish a plugin jar into a Maven repository: a folder (which any static web server can then"
                + " serve) or an http(s) repository that accepts uploads. Writes the jar, a POM, .sha256/.sha1/.md5"
                + " checksums, the .asc signatures with --sign, and updates maven-metadata.xml."})
public final class PublishCommand extends PlabCommand {
    @Parameters(paramLabel = "JAR", description = "The plugin jar.")
    Path jar;

    @Option(names = "--repo", required = true, paramLabel = "DIR|URL", description = "Where to publish.")
    String repository;

    @Option(names = "--sign", paramLabel = "KEY", description = {"A secret key file (gpg --armor --export-secret-keys"
            + " ID) to sign with; its passphrase from the environment variable PLAB_SIGNING_PASSPHRASE."})
    Path key;

    @Option(names = "--coordinates", paramLabel = "GROUP:ARTIFACT:VERSION",
            description = "Publish under these coordinates (default: the jar's META-INF/maven pom.properties).")
    String coordinates;

    @Override
    public Integer call() {
        String passphrase = System.getenv("PLAB_SIGNING_PASSPHRASE");
        DetachedSigner signer = key == null ? null
                : new DetachedSigner(key, passphrase == null ? new char[0] : passphrase.toCharArray());
        // The lab's network settings; the repository is the one given.
        SharingSettings target = SharingSettings.load(global().settings().home(), List.of(repository), false, false);
        Coordinates published = Publisher.publish(jar, coordinates == null ? null : Coordinates.parse(coordinates),
                target, signer);
        out().println(Terminal.safe("published " + published + (signer == null ? "" : " (signed)") + " to "
                + repository));
        return 0;
    }
}
