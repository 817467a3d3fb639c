package org.perceptuallab.host.share;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.provenance.Coordinates;
import org.perceptuallab.host.provenance.PluginJar;
import org.perceptuallab.kit.io.Folders;

/**
 * {@code plab plugins publish}: puts a plugin jar into a Maven repository (a folder any static web server can
 * serve, or an http(s) repository that accepts uploads) the way {@code mvn deploy} does: the jar, a POM of its
 * own, {@code .sha256}/{@code .sha1}/{@code .md5} checksums of each, optionally {@code .asc} signatures, and the
 * artifact's {@code maven-metadata.xml} (with its checksums) listing every published version.
 */
public final class Publisher {
    private Publisher() {
    }

    /**
     * @param coordinates where to publish; null: the jar's own ({@code META-INF/maven/.../pom.properties})
     * @param repository where to publish (its first repository), and the network settings to do it with
     * @param signer signs the jar and the POM, or null for none
     * @return the coordinates published
     */
    public static Coordinates publish(Path jarFile, Coordinates coordinates, SharingSettings repository,
                                      DetachedSigner signer) {
        PluginJar jar = PluginJar.read(jarFile);
        Coordinates target = coordinates != null ? coordinates : jar.coordinates().orElseThrow(() -> new PlabException(
                jarFile + " names no Maven coordinates (it has no META-INF/maven/.../pom.properties, which Maven's jar"
                        + " plugin writes); give them with --coordinates GROUP:ARTIFACT:VERSION"));
        if (target.isRange()) {
            throw new PlabException("publish needs one version, not the range " + target.version());
        }
        Path work;
        try {
            work = Files.createTempDirectory("plab-publish-");
        } catch (IOException e) {
            throw new PlabException("cannot create a temporary folder: " + e.getMessage(), e);
        }
        try {
            Path pom = work.resolve(target.artifactId() + "-" + target.version() + ".pom");
            Files.writeString(pom, pom(target, jar));
            List<Path> signatures = new ArrayList<>();
            if (signer != null) {
                for (Path signed : List.of(jarFile, pom)) {
                    Path asc = work.resolve(signed.getFileName() + ".asc");
                    signer.sign(signed, asc);
                    signatures.add(asc);
                }
            }
            try (MavenRepositories repositories = new MavenRepositories(repository)) {
                repositories.deploy(target, jarFile, pom, signatures);
            }
            return target;
        } catch (IOException e) {
            throw new PlabException("cannot write the POM of " + target + ": " + e.getMessage(), e);
        } finally {
            try {
                Folders.deleteTree(work);
            } catch (IOException ignored) {
                // A leftover temporary folder is harmless.
            }
        }
    }

    /** A POM with no parent and no dependencies: the host provides everything a plugin uses. */
    private static String pom(Coordinates c, PluginJar jar) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0"
                         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>%s</groupId>
                  <artifactId>%s</artifactId>
                  <version>%s</version>
                  <packaging>jar</packaging>
                  <description>Perceptual Lab plugin %s %s (requires api %s)</description>
                </project>
                """.formatted(xml(c.groupId()), xml(c.artifactId()), xml(c.version()), xml(jar.id()), xml(jar.version()),
                xml(jar.requires()));
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
