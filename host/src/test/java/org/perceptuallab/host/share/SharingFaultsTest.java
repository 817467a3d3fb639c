package org.perceptuallab.host.share;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.host.PlabRun;
import org.perceptuallab.host.cli.ExitCodes;
import org.perceptuallab.host.io.JsonFiles;
import org.perceptuallab.host.provenance.Coordinates;

/**
 * Hostile or broken input to plugin sharing: a settings file that would fail open, an edited install record,
 * a repository that trickles bytes or stays silent, malformed metadata, missing checksums, and a plugin id
 * holding a terminal escape sequence. Each is refused (exit 2) with a message naming the file, URL or setting.
 */
class SharingFaultsTest {
    private static final Coordinates V1 = PluginSharingTest.V1;

    @TempDir
    Path tmp;

    private Path lab() {
        return tmp.resolve("lab");
    }

    private PlabRun plab(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--home";
        all[1] = lab().toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return PlabRun.of(all);
    }

    private Path repository() {
        return tmp.resolve("repo");
    }

    /** The test plugin of these coordinates published unsigned into the folder repository. */
    private Path publish(Coordinates c) throws Exception {
        Path jar = ShareFixtures.pluginJar(tmp.resolve("build"), "shared", c, null);
        Publisher.publish(jar, null, SharingSettings.load(tmp.resolve("publisher"), List.of(repository().toString()),
                false, false), null);
        return jar;
    }

    private static void assertBadInput(PlabRun run, String... parts) {
        assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains(parts).doesNotContain("\tat ").doesNotContain("internal error");
    }

    @Test
    void aMisspeltRequireSignatureStopsTheInstallInsteadOfTurningCheckingOff() throws Exception {
        Path jar = ShareFixtures.pluginJar(tmp.resolve("build"), "shared", V1, null);
        Files.createDirectories(lab());
        for (String value : List.of("ture", "\"yes\"", "enabled")) {
            Files.writeString(lab().resolve("settings.yaml"), "requireSignature: " + value + "\n");
            assertBadInput(plab("plugins", "install", jar.toString()), lab().resolve("settings.yaml").toString(),
                    "requireSignature is '" + value.replace("\"", "") + "'", "it accepts true or false");
            assertThat(lab().resolve("plugins/shared.jar")).doesNotExist();
        }
    }

    @Test
    void repositoriesGivenAsOneValueAreUsed() throws Exception {
        Path jar = publish(V1);
        Files.createDirectories(lab());
        Files.writeString(lab().resolve("settings.yaml"), "repositories: " + repository().toUri() + "\n");
        PlabRun install = plab("plugins", "install", V1.toString());
        assertThat(install.exit()).as(install.err()).isZero();
        assertThat(lab().resolve("plugins/shared.jar")).hasSameBinaryContentAs(jar);
    }

    @Test
    void anEditedInstallRecordCannotMakeRemoveUpdateOrVerifyTouchAFileOutsideThePluginFolder() throws Exception {
        Path jar = ShareFixtures.pluginJar(tmp.resolve("build"), "shared", V1, null);
        assertThat(plab("plugins", "install", jar.toString()).exit()).isZero();
        Path folder = lab().resolve("plugins");
        Path index = folder.resolve(InstalledPlugins.FILE);
        Path victim = Files.writeString(tmp.resolve("victim.jar"), "not the plugin folder's");
        Files.createSymbolicLink(folder.resolve("link.jar"), victim);
        JsonNode original = JsonFiles.JSON.readTree(index.toFile());
        for (String file : List.of("../../victim.jar", victim.toString(), "link.jar", InstalledPlugins.FILE, "")) {
            JsonNode edited = original.deepCopy();
            ((ObjectNode) edited.get("plugins").get(0)).put("file", file);
            JsonFiles.JSON.writeValue(index.toFile(), edited);
            for (List<String> command : List.of(List.of("remove", "shared"), List.of("update", "shared"),
                    List.of("verify", "shared"), List.of("verify"), List.of("install", jar.toString(), "--force"))) {
                PlabRun run = plab(concat("plugins", command));
                assertBadInput(run, "entry 1 (plugin 'shared') of the plugin index " + index);
                assertThat(run.err()).as(file).contains("'" + file + "'");
            }
            assertThat(victim).hasContent("not the plugin folder's");
            assertThat(index).exists();
        }
        assertThat(folder.resolve("shared.jar")).hasSameBinaryContentAs(jar);
    }

    @Test
    void anInstallRecordEntryLackingAFieldIsRefusedNamingTheRecord() throws Exception {
        Path jar = ShareFixtures.pluginJar(tmp.resolve("build"), "shared", V1, null);
        assertThat(plab("plugins", "install", jar.toString()).exit()).isZero();
        Path index = lab().resolve("plugins").resolve(InstalledPlugins.FILE);
        JsonNode edited = JsonFiles.JSON.readTree(index.toFile());
        ((ObjectNode) edited.get("plugins").get(0)).remove("sha256");
        JsonFiles.JSON.writeValue(index.toFile(), edited);
        assertBadInput(plab("plugins", "verify"), "entry 1 (plugin 'shared') of the plugin index " + index,
                "lacks a field");
    }

    private static String[] concat(String first, List<String> rest) {
        String[] all = new String[rest.size() + 1];
        all[0] = first;
        for (int i = 0; i < rest.size(); i++) {
            all[i + 1] = rest.get(i);
        }
        return all;
    }

    @Test
    void aRepositoryThatSendsOneByteAtATimeFailsWithinTheDeadlineNamingTheUrlAndTheSetting() throws Exception {
        Files.createDirectories(lab());
        // Each byte comes well within the read timeout: only the deadline ends the download.
        Files.writeString(lab().resolve("settings.yaml"), "network: {connectTimeout: 1s, readTimeout: 2s, deadline: 3s,"
                + " retries: 1}\n");
        try (ShareFixtures.SlowServer slow = new ShareFixtures.SlowServer(Duration.ofMillis(500))) {
            long start = System.nanoTime();
            PlabRun install = plab("plugins", "install", V1.toString(), "--repo", slow.url);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertBadInput(install, "cannot download plugin " + V1 + ": " + slow.url,
                    "did not finish within the deadline of 3s", "raise network.deadline",
                    "read timeout 2s (network.readTimeout)", "1 retries (network.retries) in settings.yaml");
            assertThat(took).as("the install's time").isLessThan(Duration.ofSeconds(8));
        }
        assertThat(lab().resolve("plugins/shared.jar")).doesNotExist();
    }

    @Test
    void aSilentRepositoryFailsAtTheReadTimeoutNamingTheSetting() throws Exception {
        Files.createDirectories(lab());
        Files.writeString(lab().resolve("settings.yaml"), "network: {readTimeout: 1s, deadline: 1m, retries: 0}\n");
        try (ShareFixtures.SlowServer silent = new ShareFixtures.SlowServer(null)) {
            long start = System.nanoTime();
            PlabRun install = plab("plugins", "install", V1.toString(), "--repo", silent.url);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertBadInput(install, "cannot download plugin " + V1, silent.url, "read timeout 1s (network.readTimeout)",
                    "0 retries");
            assertThat(took).as("the install's time").isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void aMalformedMavenMetadataIsReportedAsMalformedNamingItsUrlNotAsNoVersion() throws Exception {
        publish(V1);
        Path metadata = repository().resolve("org/lab-a/shared-loss/maven-metadata.xml");
        // A publisher's broken upload: the file is cut short, and its checksums are those of the cut file.
        String cut = Files.readString(metadata).substring(0, Files.readString(metadata).indexOf("<versions>") + 12);
        Files.writeString(metadata, cut);
        for (String algorithm : List.of("SHA-256", "SHA-1", "MD5")) {
            byte[] digest = MessageDigest.getInstance(algorithm).digest(cut.getBytes(StandardCharsets.UTF_8));
            Files.writeString(metadata.resolveSibling("maven-metadata.xml." + algorithm.replace("-", "").toLowerCase()),
                    HexFormat.of().formatHex(digest));
        }
        PlabRun install = plab("plugins", "install", "org.lab-a:shared-loss:[1.0,2.0)", "--repo",
                repository().toUri().toString());
        assertBadInput(install, "cannot list the versions of org.lab-a:shared-loss",
                "its version list is malformed: " + repository().toUri() + "org/lab-a/shared-loss/maven-metadata.xml");
        assertThat(install.err()).doesNotContain("no version");
    }

    @Test
    void aJarWithoutChecksumFilesIsRefusedNamingTheMissingChecksumFiles() throws Exception {
        publish(V1);
        Path jar = ShareFixtures.published(repository(), V1, "jar");
        for (String suffix : List.of(".sha256", ".sha1", ".md5")) {
            Files.delete(jar.resolveSibling(jar.getFileName() + suffix));
        }
        PlabRun install = plab("plugins", "install", V1.toString(), "--repo", repository().toUri().toString());
        assertBadInput(install, "refused plugin " + V1, "the repository has no checksum file for shared-loss-1.0.0.jar",
                "shared-loss-1.0.0.jar.sha256, shared-loss-1.0.0.jar.sha1, shared-loss-1.0.0.jar.md5");
        assertThat(install.err()).doesNotContain("says ,").doesNotContain("says null");
        assertThat(lab().resolve("plugins/shared.jar")).doesNotExist();
    }

    @Test
    void aPluginIdHoldingAnEscapeSequenceReachesTheTerminalEscaped() throws Exception {
        String id = "evil\u001b[31m";
        String shown = "evil\\u001b[31m";
        Path jar = ShareFixtures.pluginJar(tmp.resolve("build"), id, V1, null);
        PlabRun install = plab("plugins", "install", jar.toString());
        assertThat(install.exit()).as(install.err()).isZero();
        assertThat(install.out()).contains("installed plugin '" + shown + "'").doesNotContain("\u001b");
        PlabRun plugins = plab("plugins");
        assertThat(plugins.out() + plugins.err()).contains(shown).doesNotContain("\u001b");
        PlabRun list = plab("plugins", "list");
        assertThat(list.out() + list.err()).contains(shown).doesNotContain("\u001b");
        // An error naming the id: another group's jar claiming it.
        Path clash = ShareFixtures.pluginJar(tmp.resolve("other"), id, new Coordinates("org.lab-c", "x", "1.0"), null);
        PlabRun refused = plab("plugins", "install", clash.toString());
        assertBadInput(refused, "refused plugin '" + shown + "'");
        assertThat(refused.err()).doesNotContain("\u001b");
        assertThat(plab("plugins", "verify").out()).contains("ok       " + shown).doesNotContain("\u001b");
    }
}
