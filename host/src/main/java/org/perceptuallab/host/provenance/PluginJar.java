package org.perceptuallab.host.provenance;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.perceptuallab.api.PlabException;

/**
 * What a plugin jar says of itself, read without loading it: the PF4J descriptor of its manifest
 * ({@code Plugin-Id}, {@code Plugin-Version}, {@code Plugin-Requires}) or, as PF4J also reads it, of its
 * {@code plugin.properties} ({@code plugin.id}, ...), its Maven coordinates (the
 * {@code META-INF/maven/.../pom.properties} that Maven's jar plugin writes), and its sha-256.
 *
 * @param requires the api range it needs ({@code Plugin-Requires}), or {@code *} for any
 * @param coordinates where the jar names them, else empty
 */
public record PluginJar(Path path, String id, String version, String requires, Optional<Coordinates> coordinates,
                        String sha256) {

    /**
     * Reads a plugin jar; a file that is no jar, has no {@code Plugin-Id}, or holds an entry whose name would
     * land outside a folder it is unpacked into ({@code ../}, an absolute path: "zip slip") is an error naming it.
     */
    public static PluginJar read(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new PlabException("plugin jar not found: " + path.toAbsolutePath());
        }
        try (JarFile jar = new JarFile(path.toFile())) {
            Attributes main = jar.getManifest() == null ? new Attributes() : jar.getManifest().getMainAttributes();
            Properties descriptor = new Properties();
            JarEntry properties = jar.getJarEntry("plugin.properties");
            if (properties != null) {
                try (InputStream in = jar.getInputStream(properties)) {
                    descriptor.load(in);
                }
            }
            String id = main.getValue("Plugin-Id") != null ? main.getValue("Plugin-Id") : descriptor.getProperty("plugin.id");
            if (id == null || id.isBlank()) {
                throw new PlabException(path + " is not a plugin jar: it has no Plugin-Id in its manifest (nor a"
                        + " plugin.properties); see examples/loss-plugin/pom.xml for the entries a plugin jar carries");
            }
            Optional<Coordinates> coordinates = Optional.empty();
            for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                JarEntry entry = entries.nextElement();
                requireInside(path, id, entry.getName());
                if (entry.getName().matches("META-INF/maven/[^/]+/[^/]+/pom\\.properties")) {
                    Properties pom = new Properties();
                    try (InputStream in = jar.getInputStream(entry)) {
                        pom.load(in);
                    }
                    coordinates = Optional.of(new Coordinates(pom.getProperty("groupId"), pom.getProperty("artifactId"),
                            pom.getProperty("version")));
                }
            }
            boolean manifest = main.getValue("Plugin-Id") != null;
            String requires = manifest ? main.getValue("Plugin-Requires") : descriptor.getProperty("plugin.requires");
            String version = manifest ? main.getValue("Plugin-Version") : descriptor.getProperty("plugin.version");
            return new PluginJar(path, id.trim(), String.valueOf(version).trim(),
                    requires == null || requires.isBlank() ? "*" : requires.trim(), coordinates, sha256(path));
        } catch (IOException | SecurityException e) {
            throw new PlabException(path + " is not a readable jar (" + e.getMessage() + "); rebuild or download it"
                    + " again", e);
        }
    }

    /** Refuses an entry name that would resolve outside the folder the jar is unpacked into. */
    private static void requireInside(Path jar, String id, String name) {
        Path root = Path.of("/plugin-root");
        Path target = root.resolve(name.replace('\\', '/')).normalize();
        if (!target.startsWith(root) || name.startsWith("/") || name.matches("^[A-Za-z]:.*")) {
            throw new PlabException("refused plugin '" + id + "' (" + jar + "): its entry '" + name
                    + "' would be written outside the plugin's folder when unpacked (a \"zip slip\" archive);"
                    + " do not install it, and tell its publisher");
        }
    }

    /** The sha-256 of a file, in lower-case hex. */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new PlabException("cannot read " + file + " to hash it: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How messages name the plugin: its id and, where known, its coordinates. */
    public String label() {
        return "'" + id + "'" + coordinates.map(c -> " (" + c + ")").orElse("");
    }
}
