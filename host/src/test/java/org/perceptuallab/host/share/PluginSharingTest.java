package org.perceptuallab.host.share;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.ApiVersion;
import org.perceptuallab.host.PlabRun;
import org.perceptuallab.host.cli.ExitCodes;
import org.perceptuallab.host.provenance.Coordinates;
import org.perceptuallab.host.provenance.PluginJar;

/**
 * Publishing and installing plugins between two labs on one machine, each with its own home (user plugin folder,
 * trusted keys), over a Maven-layout folder and Debian's nginx on loopback, with keys made in the test. Each
 * refusal leaves the lab's plugin folder as it was.
 */
class PluginSharingTest {
    static final Coordinates V1 = new Coordinates("org.lab-a", "shared-loss", "1.0.0");
    static final Coordinates V2 = V1.withVersion("1.1.0");

    @TempDir
    Path tmp;

    private Path labB() {
        return tmp.resolve("lab-b");
    }

    private Path repository() {
        return tmp.resolve("repo");
    }

    /** Publishes the test plugin's jar of these coordinates into the folder repository, signed when a key is given. */
    private Path publish(Coordinates c, ShareFixtures.TestKey key) throws Exception {
        Path jar = ShareFixtures.pluginJar(tmp.resolve("build"), "shared", c, ApiVersion.REQUIRES);
        String[] sign = key == null ? new String[0] : new String[] {"--sign", key.secretKey().toString()};
        PlabRun run = PlabRun.of(concat(new String[] {"--home", tmp.resolve("lab-a").toString(), "plugins", "publish",
                jar.toString(), "--repo", repository().toString()}, sign));
        assertThat(run.exit()).as(run.err()).isZero();
        return jar;
    }

    private PlabRun labB(String... args) {
        return PlabRun.of(concat(new String[] {"--home", labB().toString()}, args));
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private void assertRefused(PlabRun run, String... reasons) {
        assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains("refused plugin 'shared'").contains(reasons).doesNotContain("\tat ");
        assertThat(labB().resolve("plugins/shared.jar")).doesNotExist();
    }

    @Test
    void aSignedPluginPublishedToAFolderServedByNginxInstallsByCoordinatesAndItsLossIsListed() throws Exception {
        ShareFixtures.TestKey labA = ShareFixtures.key(tmp.resolve("keys"), "Lab A <a@lab-a.example>");
        Path jar = publish(V1, labA);
        try (ShareFixtures.Nginx nginx = new ShareFixtures.Nginx(repository(), tmp.resolve("nginx"))) {
            assertThat(labB("trust", "add", labA.publicKey().toString()).out()).contains("trusted ").contains("Lab A");
            PlabRun install = labB("plugins", "install", "org.lab-a:shared-loss:[1.0,2.0)", "--repo", nginx.url,
                    "--require-signature");
            assertThat(install.exit()).as(install.err()).isZero();
            assertThat(install.out()).contains("installed plugin 'shared' (org.lab-a:shared-loss:1.0.0)")
                    .contains("from " + nginx.url).contains("Lab A");
        }
        assertThat(PluginJar.sha256(labB().resolve("plugins/shared.jar"))).isEqualTo(PluginJar.sha256(jar));
        PlabRun losses = labB("losses");
        assertThat(losses.out()).contains(ShareFixtures.LOSS_ID).contains("plugin shared 1.0.0");
        PlabRun list = labB("plugins", "list");
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).contains("installed:   org.lab-a:shared-loss:1.0.0 sha-256 " + PluginJar.sha256(jar))
                .contains("trust:       signed by ").contains("Lab A");
        assertThat(labB("trust", "list").out()).contains("Lab A <a@lab-a.example>").contains("1 trusted keys");
        assertThat(labB("plugins", "verify").out()).contains("ok       shared").contains("0 changed or missing");
        // Lab A's own folder is untouched by lab B's install: two homes, two plugin folders.
        assertThat(tmp.resolve("lab-a/plugins/shared.jar")).doesNotExist();
    }

    @Test
    void publishWritesTheJarPomChecksumsSignaturesAndMetadataOfEveryVersion() throws Exception {
        ShareFixtures.TestKey labA = ShareFixtures.key(tmp.resolve("keys"), "Lab A <a@lab-a.example>");
        Path jar = publish(V1, labA);
        publish(V2, labA);
        Path published = ShareFixtures.published(repository(), V1, "jar");
        assertThat(published).hasSameBinaryContentAs(jar);
        assertThat(Files.readString(published.resolveSibling(published.getFileName() + ".sha256")).trim())
                .isEqualTo(PluginJar.sha256(jar));
        for (String suffix : List.of(".sha1", ".md5", ".asc")) {
            assertThat(published.resolveSibling(published.getFileName() + suffix)).isRegularFile();
        }
        Path pom = ShareFixtures.published(repository(), V1, "pom");
        assertThat(Files.readString(pom)).contains("<groupId>org.lab-a</groupId>").contains("<version>1.0.0</version>");
        assertThat(pom.resolveSibling(pom.getFileName() + ".asc")).isRegularFile();
        Path metadata = repository().resolve("org/lab-a/shared-loss/maven-metadata.xml");
        assertThat(Files.readString(metadata)).contains("<version>1.0.0</version>").contains("<version>1.1.0</version>")
                .contains("<release>1.1.0</release>");
        assertThat(Files.readString(metadata.resolveSibling("maven-metadata.xml.sha256")).trim())
                .isEqualTo(PluginJar.sha256(metadata));
        TrustedKeys keys = TrustedKeys.of(tmp.resolve("verifier"));
        keys.add(labA.publicKey());
        assertThat(keys.verify(published, published.resolveSibling(published.getFileName() + ".asc")))
                .isInstanceOf(TrustedKeys.Verdict.Trusted.class);
    }

    @Test
    void aJarAlteredInTheRepositoryIsRefusedNamingBothChecksums() throws Exception {
        Path jar = publish(V1, null);
        Path published = ShareFixtures.published(repository(), V1, "jar");
        byte[] bytes = Files.readAllBytes(published);
        bytes[bytes.length / 2] ^= 1;
        Files.write(published, bytes);
        PlabRun install = labB("plugins", "install", V1.toString(), "--repo", repository().toUri().toString());
        assertThat(install.exit()).as(install.err()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(install.err()).contains("refused plugin " + V1).contains("checksum mismatch")
                .contains(PluginJar.sha256(jar)).contains(PluginJar.sha256(published)).doesNotContain("\tat ");
        assertThat(labB().resolve("plugins/shared.jar")).doesNotExist();
    }

    @Test
    void aSignatureOfOtherBytesIsRefusedEvenWhenSignaturesAreNotRequired() throws Exception {
        ShareFixtures.TestKey labA = ShareFixtures.key(tmp.resolve("keys"), "Lab A <a@lab-a.example>");
        publish(V1, labA);
        Path published = ShareFixtures.published(repository(), V1, "jar");
        // Lab A's real signature, of the POM: valid, by a trusted key, but not of this jar.
        Files.copy(ShareFixtures.published(repository(), V1, "pom.asc"), published.resolveSibling(
                published.getFileName() + ".asc"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        labB("trust", "add", labA.publicKey().toString());
        assertRefused(labB("plugins", "install", V1.toString(), "--repo", repository().toString()),
                "bad signature", "does not match its bytes");
    }

    @Test
    void anUntrustedSignerAndAMissingSignatureAreRefusedWhenTheLabRequiresSignatures() throws Exception {
        ShareFixtures.TestKey labA = ShareFixtures.key(tmp.resolve("keys"), "Lab A <a@lab-a.example>");
        ShareFixtures.TestKey stranger = ShareFixtures.key(tmp.resolve("keys"), "Stranger <s@elsewhere.example>");
        publish(V1, stranger);
        labB("trust", "add", labA.publicKey().toString());
        // The policy from the lab's settings file rather than the command line.
        Files.writeString(labB().resolve("settings.yaml"), "repositories: [" + repository().toUri() + "]\n"
                + "requireSignature: true\n");
        assertRefused(labB("plugins", "install", V1.toString()), "not among this lab's trusted keys", "plab trust add");
        Files.delete(ShareFixtures.published(repository(), V1, "jar.asc"));
        assertRefused(labB("plugins", "install", V1.toString()), "has no signature", "requires signed plugins");
        // Without requireSignature, a lab that trusts a key still refuses what no trusted key signed, by default.
        Files.writeString(labB().resolve("settings.yaml"), "repositories: [" + repository().toUri() + "]\n");
        assertRefused(labB("plugins", "install", V1.toString()), "has no signature", "this lab trusts 1 key(s)",
                "--allow-untrusted");
        PlabRun unsigned = labB("plugins", "install", V1.toString(), "--allow-untrusted");
        assertThat(unsigned.exit()).as(unsigned.err()).isZero();
        assertThat(unsigned.out()).contains("signer: unverified (unsigned)")
                .contains("warning: --allow-untrusted: plugin 'shared' is unverified (unsigned)");
    }

    @Test
    void aLabThatTrustsAKeyRefusesAJarSignedByAnUntrustedKeyByDefaultAndInstallsItUnverifiedWithAllowUntrusted()
            throws Exception {
        ShareFixtures.TestKey labA = ShareFixtures.key(tmp.resolve("keys"), "Lab A <a@lab-a.example>");
        ShareFixtures.TestKey stranger = ShareFixtures.key(tmp.resolve("keys"), "Stranger <s@elsewhere.example>");
        publish(V1, stranger);
        publish(V2, labA);
        assertThat(labB("trust", "add", labA.publicKey().toString()).exit()).isZero();
        String repo = repository().toUri().toString();
        assertRefused(labB("plugins", "install", V1.toString(), "--repo", repo), "it is signed by key ",
                "not among this lab's trusted keys", "this lab trusts 1 key(s)", "plab trust add KEY.asc",
                "--allow-untrusted");
        PlabRun allowed = labB("plugins", "install", V1.toString(), "--repo", repo, "--allow-untrusted");
        assertThat(allowed.exit()).as(allowed.err()).isZero();
        assertThat(allowed.out()).contains("warning: --allow-untrusted: plugin 'shared' is unverified (signed by"
                + " untrusted key ");
        assertThat(InstalledPlugins.in(labB().resolve("plugins")).require("shared").signer())
                .startsWith("unverified (signed by untrusted key ");
        assertThat(labB("plugins", "list").out()).contains("trust:       unverified (signed by untrusted key ");
        // The trusted publisher's jar needs no flag.
        PlabRun trusted = labB("plugins", "install", V2.toString(), "--repo", repo);
        assertThat(trusted.exit()).as(trusted.err()).isZero();
        assertThat(labB("plugins", "list").out()).containsPattern("trust: +signed by [0-9A-F]{40} Lab A");
    }

    @Test
    void aLabThatTrustsNoKeyInstallsUnverifiedSayingSoInOneLineAndListShowsAJarChangedSince() throws Exception {
        Path jar = ShareFixtures.pluginJar(tmp.resolve("build"), "shared", V1, null);
        assertRefused(labB("plugins", "install", jar.toString(), "--require-signature"), "has no signature",
                "requires signed plugins");
        PlabRun install = labB("plugins", "install", jar.toString());
        assertThat(install.exit()).as(install.err()).isZero();
        assertThat(install.out().lines().filter(l -> l.contains("trusts no signing key")))
                .singleElement().asString().startsWith("note: this lab trusts no signing key")
                .contains("plugin 'shared' is unverified (unsigned)").contains("plab trust add");
        assertThat(InstalledPlugins.in(labB().resolve("plugins")).require("shared").signer())
                .isEqualTo("unverified (unsigned)");
        assertThat(labB("plugins", "list").out()).contains("trust:       unverified (unsigned)");
        Path other = ShareFixtures.pluginJar(tmp.resolve("other"), "shared", V1, null, Map.of("extra.txt", "x"));
        Files.copy(other, labB().resolve("plugins/shared.jar"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(labB("plugins", "list").out()).contains("trust:       changed: sha-256 " + PluginJar.sha256(other)
                + ", recorded at install " + PluginJar.sha256(jar));
    }

    @Test
    void aPluginRequiringAnApiThisHostDoesNotProvideIsRefusedNamingBothVersions() throws Exception {
        Path jar = ShareFixtures.pluginJar(tmp.resolve("build"), "shared", V1, ">=3.0.0");
        assertRefused(labB("plugins", "install", jar.toString()), "requires api >=3.0.0",
                "provides api " + ApiVersion.CURRENT);
    }

    @Test
    void anIdInstalledFromAnotherGroupOrShippedWithTheHostIsRefused() throws Exception {
        Path ours = ShareFixtures.pluginJar(tmp.resolve("build"), "shared", V1, null);
        assertThat(labB("plugins", "install", ours.toString()).exit()).isZero();
        Path theirs = ShareFixtures.pluginJar(tmp.resolve("other"), "shared", new Coordinates("org.lab-c",
                "shared-loss", "2.0.0"), null);
        PlabRun clash = labB("plugins", "install", theirs.toString());
        assertThat(clash.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(clash.err()).contains("refused plugin 'shared' (org.lab-c:shared-loss:2.0.0)")
                .contains("already installed from org.lab-a:shared-loss:1.0.0").contains("plab plugins remove shared");
        Path shipped = ShareFixtures.pluginJar(tmp.resolve("fake"), "losses-pixel", V1, null);
        PlabRun distribution = labB("plugins", "install", shipped.toString());
        assertThat(distribution.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(distribution.err()).contains("plugin id 'losses-pixel' is already provided by")
                .contains("losses-pixel.jar");
    }

    @Test
    void aDowngradeNeedsForceAndUpdateInstallsTheNewestVersion() throws Exception {
        publish(V1, null);
        publish(V2, null);
        String repo = repository().toUri().toString();
        assertThat(labB("plugins", "install", V2.toString(), "--repo", repo).exit()).isZero();
        PlabRun downgrade = labB("plugins", "install", V1.toString(), "--repo", repo);
        assertThat(downgrade.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(downgrade.err()).contains("refused plugin 'shared' (" + V1 + ")")
                .contains("older than the installed " + V2).contains("--force");
        assertThat(InstalledPlugins.in(labB().resolve("plugins")).require("shared").version()).isEqualTo("1.1.0");
        assertThat(labB("plugins", "install", V1.toString(), "--repo", repo, "--force").exit()).isZero();
        assertThat(InstalledPlugins.in(labB().resolve("plugins")).require("shared").version()).isEqualTo("1.0.0");
        PlabRun update = labB("plugins", "update");
        assertThat(update.exit()).as(update.err()).isZero();
        assertThat(update.out()).contains("installed plugin 'shared' (" + V2 + ")");
        assertThat(labB("plugins", "update", "shared").out()).contains("is up to date");
        InstalledPlugins.Entry entry = InstalledPlugins.in(labB().resolve("plugins")).require("shared");
        assertThat(entry.coordinates()).isEqualTo(V2.toString());
        assertThat(entry.sha256()).isEqualTo(PluginJar.sha256(ShareFixtures.published(repository(), V2, "jar")));
        assertThat(entry.repository()).isEqualTo(repo);
    }

    @Test
    void aJarWithEntriesThatEscapeThePluginFolderIsRefused() throws Exception {
        Path slip = ShareFixtures.pluginJar(tmp.resolve("build"), "shared", V1, null,
                Map.of("../../outside.txt", "written outside the folder when unpacked"));
        assertRefused(labB("plugins", "install", slip.toString()), "'../../outside.txt'", "zip slip");
    }

    @Test
    void verifyFailsOnAJarChangedAfterInstallNamingBothDigestsAndRemoveTakesItOut() throws Exception {
        Path jar = ShareFixtures.pluginJar(tmp.resolve("build"), "shared", V1, null);
        assertThat(labB("plugins", "install", jar.toString()).exit()).isZero();
        Path installed = labB().resolve("plugins/shared.jar");
        Files.write(installed, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        PlabRun verify = labB("plugins", "verify", "shared");
        assertThat(verify.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(verify.out()).contains("CHANGED  shared").contains(PluginJar.sha256(jar))
                .contains(PluginJar.sha256(installed)).contains("1 changed or missing");
        PlabRun remove = labB("plugins", "remove", "shared");
        assertThat(remove.exit()).as(remove.err()).isZero();
        assertThat(installed).doesNotExist();
        assertThat(InstalledPlugins.in(labB().resolve("plugins")).entries()).isEmpty();
        assertThat(labB("plugins", "remove", "shared").err()).contains("no plugin 'shared' was installed");
    }
}
