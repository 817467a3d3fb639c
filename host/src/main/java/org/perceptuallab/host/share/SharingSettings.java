package org.perceptuallab.host.share;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.maven.settings.Profile;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.io.xpp3.SettingsXpp3Reader;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.StrictYaml;
import org.perceptuallab.runtime.catalog.DidYouMean;

/**
 * Where plugins come from, what a lab demands of them and how long it waits for a repository, from
 * {@code HOME/settings.yaml}:
 * <pre>
 * repositories: [https://nexus.lab-a.example/repository/plugins, file:///srv/maven]   # or one URL
 * requireSignature: true      # install only jars with a valid signature by a trusted key (true or false)
 * network:                    # per repository call: each a number of seconds or 500ms, 10s, 5m, 1h
 *   connectTimeout: 10s
 *   readTimeout: 60s          # the longest silence while a repository answers
 *   deadline: 10m             # the longest a whole download (all its files and retries) may take
 *   retries: 2                # further tries of a request that failed on the network
 * </pre>
 * Every value is read strictly: a value that is not one the key accepts is an error naming the key, the file
 * and the accepted values, never a silent default (a misspelt {@code requireSignature} must not turn checking off).
 * Repositories are taken from the first of: the command line's {@code --repo}, this file, the user's Maven
 * settings ({@code ~/.m2/settings.xml}: the repositories of its active profiles, its mirrors and servers).
 *
 * @param repositories the repositories to resolve from, in order
 * @param mavenSettings the user's Maven settings where they supplied the repositories, else null
 * @param requireSignature whether an install needs a valid signature by a trusted key, trusted keys or none
 * @param allowUntrusted {@code --allow-untrusted}: a lab with trusted keys installs unsigned jars or jars of
 *                       unknown signers (unverified) instead of refusing them
 * @param network the timeouts and retries of every repository call
 */
public record SharingSettings(List<Repository> repositories, Settings mavenSettings, boolean requireSignature,
                              boolean allowUntrusted, Network network) {
    /** A repository: an id (Maven settings' own, or derived) and a file, http or https URL. */
    public record Repository(String id, String url) {
    }

    /**
     * How long a repository call may take, and how often a failed request is tried again.
     *
     * @param connectTimeout the longest wait for a connection
     * @param readTimeout the longest silence of a connected repository
     * @param deadline the longest one resolution or publication may take, whatever the repository sends
     * @param retries how many times a request that failed on the network is tried again
     */
    public record Network(Duration connectTimeout, Duration readTimeout, Duration deadline, int retries) {
        /** Defaults no working repository meets: a plugin of 100 MB at 200 KB/s still arrives. */
        public static final Network DEFAULT = new Network(Duration.ofSeconds(10), Duration.ofSeconds(60),
                Duration.ofMinutes(10), 2);

        /** The values and the keys that set them, for messages. */
        public String describe() {
            return "connect timeout " + text(connectTimeout) + " (network.connectTimeout), read timeout "
                    + text(readTimeout) + " (network.readTimeout), deadline " + text(deadline)
                    + " (network.deadline), " + retries + " retries (network.retries) in settings.yaml";
        }

        /** A duration as settings.yaml writes it. */
        public static String text(Duration d) {
            return d.toMillis() % 1000 != 0 ? d.toMillis() + "ms" : d.toSeconds() + "s";
        }
    }

    /** The file's name in the lab's folder. */
    public static final String FILE = "settings.yaml";

    private static final List<String> KEYS = List.of("repositories", "requireSignature", "network");
    private static final List<String> NETWORK_KEYS = List.of("connectTimeout", "readTimeout", "deadline", "retries");
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");
    private static final Duration LONGEST = Duration.ofDays(1);
    private static final int MOST_RETRIES = 10;

    /**
     * @param home the lab's folder
     * @param given {@code --repo} values (URLs or folders), first choice when any
     * @param requireSignature {@code --require-signature}: true demands signatures whatever the file says
     * @param allowUntrusted {@code --allow-untrusted}
     */
    public static SharingSettings load(Path home, List<String> given, boolean requireSignature,
                                       boolean allowUntrusted) {
        Path file = home.resolve(FILE);
        List<String> configured = new ArrayList<>();
        boolean fileRequires = false;
        Network network = Network.DEFAULT;
        JsonNode root = read(file);
        if (root != null) {
            requireKnownKeys(file, "", root, KEYS);
            if (root.has("repositories")) {
                configured = strings(file, "repositories", root.get("repositories"));
            }
            if (root.has("requireSignature")) {
                fileRequires = bool(file, "requireSignature", root.get("requireSignature"));
            }
            if (root.has("network")) {
                network = network(file, root.get("network"));
            }
        }
        if (allowUntrusted && (requireSignature || fileRequires)) {
            throw new PlabException("--allow-untrusted contradicts " + (requireSignature ? "--require-signature"
                    : "'requireSignature: true' in " + file) + ": give one of them");
        }
        boolean require = requireSignature || fileRequires;
        if (!given.isEmpty()) {
            return new SharingSettings(numbered(given), null, require, allowUntrusted, network);
        }
        if (!configured.isEmpty()) {
            return new SharingSettings(numbered(configured), null, require, allowUntrusted, network);
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
        return new SharingSettings(fromMaven, fromMaven.isEmpty() ? null : maven, require, allowUntrusted, network);
    }

    /** The same demands and network settings, resolving from these repositories (URLs or folders) instead. */
    public SharingSettings from(List<String> locations) {
        return new SharingSettings(numbered(locations), null, requireSignature, allowUntrusted, network);
    }

    /** Fails, saying where to name one, when no repository is configured. */
    public void requireRepositories(Path home) {
        if (repositories.isEmpty()) {
            throw new PlabException("no repository to install from: give --repo URL (a Maven repository: file, http"
                    + " or https, or a folder), list 'repositories:' in " + home.resolve(FILE)
                    + ", or add a repository to an active profile of ~/.m2/settings.xml");
        }
    }

    /** The file's mapping, or null where there is no file or it is empty. */
    private static JsonNode read(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        JsonNode root;
        try {
            root = StrictYaml.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new PlabException("cannot parse " + file + ": " + e.getMessage(), e);
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return null;
        }
        if (!root.isObject()) {
            throw new PlabException(file + " must be a mapping of settings (key: value), such as 'requireSignature:"
                    + " true'; it holds a " + root.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        return root;
    }

    private static void requireKnownKeys(Path file, String prefix, JsonNode node, List<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                throw new PlabException(file + ": unknown key '" + prefix + key + "'; known: " + prefix
                        + String.join(", " + prefix, known) + DidYouMean.suggestion(key, known));
            }
        }
    }

    /** A YAML boolean, or the text true or false; anything else ({@code ture}, "yes", enabled) is refused. */
    private static boolean bool(Path file, String key, JsonNode value) {
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isTextual() && (value.textValue().equals("true") || value.textValue().equals("false"))) {
            return value.textValue().equals("true");
        }
        throw invalid(file, key, value, "true or false");
    }

    /** A list of non-empty texts, or one text as a list of one. */
    private static List<String> strings(Path file, String key, JsonNode value) {
        String accepted = "a URL or folder, or a list of them: [URL, ...]";
        List<JsonNode> items = new ArrayList<>();
        if (value.isArray()) {
            value.forEach(items::add);
        } else {
            items.add(value);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : items) {
            if (!item.isTextual() || item.textValue().isBlank()) {
                throw invalid(file, key, item, accepted);
            }
            out.add(item.textValue().trim());
        }
        return out;
    }

    private static Network network(Path file, JsonNode node) {
        if (!node.isObject()) {
            throw invalid(file, "network", node, "a mapping of " + String.join(", ", NETWORK_KEYS));
        }
        requireKnownKeys(file, "network.", node, NETWORK_KEYS);
        Network d = Network.DEFAULT;
        return new Network(duration(file, "network.connectTimeout", node.get("connectTimeout"), d.connectTimeout()),
                duration(file, "network.readTimeout", node.get("readTimeout"), d.readTimeout()),
                duration(file, "network.deadline", node.get("deadline"), d.deadline()),
                retries(file, node.get("retries"), d.retries()));
    }

    /** Seconds as a number, or a number with ms, s, m or h; above zero, at most a day. */
    private static Duration duration(Path file, String key, JsonNode value, Duration absent) {
        if (value == null) {
            return absent;
        }
        String accepted = "a duration above 0 and at most 1 day: seconds (30), or a number with ms, s, m or h (500ms,"
                + " 10s, 5m)";
        Matcher m = value.isNumber() || value.isTextual() ? DURATION.matcher(value.asText().trim()) : null;
        if (m == null || !m.matches()) {
            throw invalid(file, key, value, accepted);
        }
        double amount = Double.parseDouble(m.group(1));
        long perUnit = switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> 1;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> 1000;
        };
        double millis = amount * perUnit;
        if (millis < 1 || millis > LONGEST.toMillis()) {
            throw invalid(file, key, value, accepted);
        }
        return Duration.ofMillis(Math.round(millis));
    }

    private static int retries(Path file, JsonNode value, int absent) {
        if (value == null) {
            return absent;
        }
        if (!value.isIntegralNumber() || value.asLong() < 0 || value.asLong() > MOST_RETRIES) {
            throw invalid(file, "network.retries", value, "a whole number from 0 to " + MOST_RETRIES);
        }
        return value.asInt();
    }

    private static PlabException invalid(Path file, String key, JsonNode value, String accepted) {
        String shown = value == null || value.isNull() ? "no value" : "'" + (value.isValueNode() ? value.asText()
                : value.toString()) + "'";
        return new PlabException(file + ": " + key + " is " + shown + "; it accepts " + accepted);
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
