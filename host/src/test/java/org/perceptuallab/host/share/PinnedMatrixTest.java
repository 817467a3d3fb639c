package org.perceptuallab.host.share;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.host.PlabRun;
import org.perceptuallab.host.cli.ExitCodes;
import org.perceptuallab.host.io.JsonFiles;
import org.perceptuallab.host.provenance.PluginJar;
import org.perceptuallab.testkit.Fixtures;

/**
 * A matrix that pins a shared plugin: refused while another jar is installed, runnable after
 * {@code plab plugins sync}, with each cell's provenance naming its plugin jars; and another lab's
 * {@code plab reproduce} of its results, which installs the pinned jar and gets the same figures.
 */
class PinnedMatrixTest {
    @TempDir
    Path tmp;

    private PlabRun lab(String lab, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--home";
        all[1] = tmp.resolve(lab).toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return PlabRun.of(all);
    }

    /** Two image-mean cells (the shared loss and l2), a few steps on 16x16 crops: seconds on 2 cores. */
    private Path matrix(String sha256) throws Exception {
        return Files.writeString(tmp.resolve("pinned.yaml"), """
                name: pinned
                seed: 7
                plugins:
                  - {coordinates: %s, sha256: %s}
                losses: [%s, l2]
                experiments:
                  - experiment: image-mean
                    params: {data: %s, size: 16, crops: 2, jitter: 1, steps: 4, lr: 0.01}
                """.formatted(PluginSharingTest.V1, sha256, ShareFixtures.LOSS_ID, Fixtures.photo("chelsea.png")));
    }

    @Test
    void aPinnedMatrixRefusesAnotherInstalledJarNamingBothDigestsAndRunsAfterSync() throws Exception {
        Path repo = tmp.resolve("repo");
        Path v1 = ShareFixtures.pluginJar(tmp.resolve("build"), "shared", PluginSharingTest.V1, null);
        Path v2 = ShareFixtures.pluginJar(tmp.resolve("build"), "shared", PluginSharingTest.V2, null);
        for (Path jar : new Path[] {v1, v2}) {
            assertThat(lab("lab-a", "plugins", "publish", jar.toString(), "--repo", repo.toString()).exit()).isZero();
        }
        Path file = matrix(PluginJar.sha256(v1));
        assertThat(lab("lab-a", "plugins", "install", PluginSharingTest.V2.toString(), "--repo", repo.toString()).exit())
                .isZero();
        PlabRun refused = lab("lab-a", "matrix", file.toString(), "--out", tmp.resolve("out").toString());
        assertThat(refused.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(refused.err()).contains("pins plugin " + PluginSharingTest.V1 + " with sha-256 " + PluginJar.sha256(v1))
                .contains("is " + PluginSharingTest.V2 + " with sha-256 " + PluginJar.sha256(v2))
                .contains("plab plugins sync");
        PlabRun sync = lab("lab-a", "plugins", "sync", file.toString(), "--repo", repo.toString());
        assertThat(sync.exit()).as(sync.err()).isZero();
        assertThat(sync.out()).contains("1 pinned plugins, 1 installed now");
        PlabRun run = lab("lab-a", "matrix", file.toString(), "--out", tmp.resolve("out").toString());
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode shared = JsonFiles.JSON.readTree(tmp.resolve("out/results.json").toFile()).get("cells").get(0);
        assertThat(shared.path("loss").asText()).isEqualTo(ShareFixtures.LOSS_ID);
        JsonNode jars = shared.path("provenance").path("plugins");
        JsonNode sharedJar = null;
        JsonNode imageMeanJar = null;
        for (JsonNode jar : jars) {
            sharedJar = jar.path("id").asText().equals("shared") ? jar : sharedJar;
            imageMeanJar = jar.path("id").asText().equals("experiment-image-mean") ? jar : imageMeanJar;
        }
        assertThat(sharedJar.path("coordinates").asText()).isEqualTo(PluginSharingTest.V1.toString());
        assertThat(sharedJar.path("sha256").asText()).isEqualTo(PluginJar.sha256(v1));
        assertThat(imageMeanJar.path("coordinates").asText()).startsWith("org.perceptuallab:experiment-image-mean:");
        assertThat(imageMeanJar.path("sha256").asText()).matches("[0-9a-f]{64}");
        assertThat(shared.at("/provenance/run/baseDir").asText()).isEqualTo(tmp.toAbsolutePath().toString());
        // A pin on a digest no jar has, and a malformed pin, are refused before anything runs.
        Path wrong = matrix("ab".repeat(32));
        assertThat(lab("lab-a", "plugins", "sync", wrong.toString(), "--repo", repo.toString()).err())
                .contains("refused plugin 'shared'").contains("the pin says " + "ab".repeat(32));
        Files.writeString(file, Files.readString(file).replace("sha256:", "sha-256:"));
        assertThat(lab("lab-a", "matrix", file.toString()).err()).contains("unknown key 'sha-256' in plugins entry 1");
    }

    @Test
    void anotherLabReproducesTheResultsAfterInstallingThePinnedJarAndATamperedFigureFails() throws Exception {
        Path repo = tmp.resolve("repo");
        Path v1 = ShareFixtures.pluginJar(tmp.resolve("build"), "shared", PluginSharingTest.V1, null);
        assertThat(lab("lab-a", "plugins", "publish", v1.toString(), "--repo", repo.toString()).exit()).isZero();
        Path file = matrix(PluginJar.sha256(v1));
        assertThat(lab("lab-a", "plugins", "sync", file.toString(), "--repo", repo.toString()).exit()).isZero();
        Path original = tmp.resolve("lab-a-results");
        PlabRun run = lab("lab-a", "matrix", file.toString(), "--out", original.toString());
        assertThat(run.exit()).as(run.err()).isZero();

        PlabRun reproduce = lab("lab-b", "reproduce", original.resolve("results.json").toString(), "--yes",
                "--repo", repo.toUri().toString(), "--out", tmp.resolve("reproduced").toString());
        assertThat(reproduce.exit()).as(reproduce.out() + reproduce.err()).isZero();
        assertThat(reproduce.out()).contains("installed plugin 'shared' (" + PluginSharingTest.V1 + ")")
                .contains("2 cells rerun").contains(" 0 beyond the tolerance")
                .containsPattern("image-mean/" + ShareFixtures.LOSS_ID + " +distanceEnd");
        assertThat(tmp.resolve("lab-b/plugins/shared.jar")).hasSameBinaryContentAs(v1);
        JsonNode again = JsonFiles.JSON.readTree(tmp.resolve("reproduced/results.json").toFile()).get("cells");
        assertThat(again).hasSize(2);

        // One recorded figure changed: the same rerun now reports it beyond the tolerance and exits 1.
        ObjectNode tampered = (ObjectNode) JsonFiles.JSON.readTree(original.resolve("results.json").toFile());
        ObjectNode metrics = (ObjectNode) tampered.get("cells").get(1).get("metrics");
        metrics.put("distanceEnd", metrics.get("distanceEnd").asDouble() + 0.5);
        Path edited = tmp.resolve("tampered.json");
        JsonFiles.writeJson(edited, tampered);
        PlabRun differs = lab("lab-b", "reproduce", edited.toString(), "--cells", "*/l2", "--yes",
                "--out", tmp.resolve("reproduced-2").toString());
        assertThat(differs.exit()).as(differs.err()).isEqualTo(ExitCodes.FAILED);
        assertThat(differs.out()).contains("1 cells rerun").containsPattern("distanceEnd .* BEYOND TOLERANCE")
                .contains("1 beyond the tolerance");
    }
}
