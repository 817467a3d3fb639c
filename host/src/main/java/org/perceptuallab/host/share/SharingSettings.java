package org.perceptuallab.host.share;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.maven.settings.Profile;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.io.xpp3.SettingsXpp3Reader;
import org.perceptuallab.api.DidYouMean;
import org.perceptuallab.api.PlabException;

/**
 * Where plugins come from and what a lab demands of them, from {@code HOME/settings.yaml}:
 * <pre>
 * repositories: [https://nexus.lab-a.example/repository/plugins, file:///srv/maven]
 * requireSignature: true      # install only jars with a valid signature by a trusted key
 * </pre>
 * Repositories are taken from the first of: the command line's {@code --repo}, this file, the user's Maven
 * settings ({@code ~/.m2/settings.xml}: the repositories of its active profiles, its mirrors and servers).
 *
 * @param repositories the repositories to resolve from, in order
 * @param mavenSettings the user's Maven settings where they supplied the repositories, else null
 * @param requireSignature whether an install needs a valid signature by a trusted key
 */
public record SharingSettings(List<Repository> repositories, Settings mavenSettings, boolean requireSignature) {
    /** A repository: an id (Maven settings' own, or derived) and a file, http or https URL. */
    public record Repository(String id, String url) {
    }

    private static final List<String> KEYS = List.of("repositories", "requireSignature");

    /**
     * @param home the lab's folder
     * @param given {@code --repo} values (URLs or folders), first choice when any
     * @param requireSignature {@code --require-signature}: true demands signatures whatever the file says
     */
    public static SharingSettings load(Path home, List<String> given, boolean requireSignature) {
        Path file = home.resolve("settings.yaml");
        List<String> configured = new ArrayList<>();
        boolean fileRequires = false;
        if (Files.isRegularFile(file)) {
            JsonNode root;
            try {
                root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
            } catch (IOException e) {
                throw new PlabException("cannot parse " + file + ": " + e.getMessage(), e);
            }
            if (root != null && !root.isNull()) {
                for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
                    String key = it.next();
                    if (!KEYS.contains(key)) {
                        throw new PlabException(file + ": unknown key '" + key + "'; known: " + String.join(", ", KEYS)
                                + DidYouMean.suggestion(key, KEYS));
                    }
                }
                root.path("repositories").forEach(r -> configured.add(r.asText()));
                fileRequires = root.path("requireSignature").asBoolean(false);
            }
        }
        boolean require = requireSignature || fileRequires;
        if (!given.isEmpty()) {
            return new SharingSettings(numbered(given), null, require);
        }
        if (!configured.isEmpty()) {
            return new SharingSettings(numbered(configured), null, require);
        }
        Settings maven = readMavenSettings();
        List<Repository> fromMaven = new ArrayList<>();
        if (maven != null) {
            for (Profile p : maven.getProfiles()) {
                boolean active = maven.getActiveProfiles().contains(p.getId())
                        || (p.getActivation() != null && p.getActivation().isActiveByDefault());
                if (active) {
                    p.getRepositories().forEach(r -> fromMaven.add(new Repository(r.getId(), r.getUrl())));
                }
            }
        }
        return new SharingSettings(fromMaven, fromMaven.isEmpty() ? null : maven, require);
    }

    /** Fails, saying where to name one, when no repository is configured. */
    public void requireRepositories(Path home) {
        if (repositories.isEmpty()) {
            throw new PlabException("no repository to install from: give --repo URL (a Maven repository: file, http"
                    + " or https, or a folder), list 'repositories:' in " + home.resolve("settings.yaml")
                    + ", or add a repository to an active profile of ~/.m2/settings.xml");
        }
    }

    private static List<Repository> numbered(List<String> locations) {
        List<Repository> out = new ArrayList<>();
        for (String location : locations) {
            out.add(new Repository("plab-" + (out.size() + 1), toUrl(location)));
        }
        return out;
    }

    /** A URL for a repository given as a URL or as a folder path. */
    public static String toUrl(String location) {
        return location.matches("(?i)(file|https?):.*") ? location : Path.of(location).toAbsolutePath().normalize()
                .toUri().toString();
    }

    private static Settings readMavenSettings() {
        Path file = Path.of(System.getProperty("user.home"), ".m2", "settings.xml");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (InputStream in = Files.newInputStream(file)) {
            return new SettingsXpp3Reader().read(in);
        } catch (Exception e) {
            throw new PlabException("cannot read the Maven settings " + file + " (" + e.getMessage() + "); fix them,"
                    + " or give --repo URL", e);
        }
    }
}
