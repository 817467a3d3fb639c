package org.perceptuallab.host.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.host.PlabRun;
import org.perceptuallab.host.cli.ExitCodes;
import org.perceptuallab.host.web.RaterClient.Acknowledged;
import org.perceptuallab.host.web.RaterClient.Taste;

/**
 * A lead makes a campaign with the CLI, three raters judge through HTTP as the page does, the lead exports it,
 * and the 2AFC experiment scores a loss on the export as on any BAPPS set.
 */
class ServeJudgingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void threeRatersJudgeAndTheExportIsAHumanBappsSetThe2afcExperimentScores(@TempDir Path tmp) throws Exception {
        Path set = ServeFixtures.bappsSet(tmp.resolve("set"), 3, 32);
        Path home = tmp.resolve("home");
        ServeFixtures.Campaign campaign = ServeFixtures.createCampaign(home, set, "lab-photos", 0.25);
        assertThat(campaign.triplets()).isEqualTo(6);
        assertThat(campaign.catchTrials()).isEqualTo(2);
        Map<String, String> roles = ServeFixtures.rolesByContent(set);
        try (ServeFixtures.Server server = ServeFixtures.start(home, JudgingServer.Limits.DEFAULT)) {
            List<RaterClient> raters = List.of(
                    RaterClient.join(server.base(), campaign.invitePath(), roles, Taste.ATTENTIVE_P1),
                    RaterClient.join(server.base(), campaign.invitePath(), roles, Taste.ATTENTIVE_P1),
                    RaterClient.join(server.base(), campaign.invitePath(), roles, Taste.CARELESS_P0));
            HttpResponse<String> page = ServeFixtures.get(server.base().resolve("/r/" + raters.get(0).token()));
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<title>lab-photos: which is closer?</title>", "0 of 8 answered",
                    "<script src=\"/static/rate.js\"></script>");
            assertThat(ServeFixtures.get(server.base().resolve("/static/rate.js")).body()).contains("'/answers'");

            // The first rater pauses after three answers; coming back, it is offered the fourth trial.
            List<Acknowledged> first = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                raters.get(0).answerNext(first::add);
            }
            assertThat(raters.get(0).next().get("answered").asInt()).isEqualTo(3);
            assertThat(raters.get(0).next().get("trial").asLong()).isNotIn(first.stream().map(Acknowledged::trial).toList());
            // A repeated submission is acknowledged but counted once.
            Acknowledged again = raters.get(0).answer(first.get(0).trial(), first.get(0).side());
            assertThat(again.recorded()).isFalse();
            assertThat(raters.get(0).next().get("answered").asInt()).isEqualTo(3);
            for (RaterClient rater : raters) {
                while (rater.answerNext(a -> assertThat(a.recorded()).isTrue())) {
                    // answers until the campaign is done
                }
                assertThat(rater.next().get("done").asBoolean()).isTrue();
                assertThat(rater.next().get("answered").asInt()).isEqualTo(8);
            }
            // Left and right are randomised per rater: over 8 trials and 3 raters both arrangements occur.
            assertThat(server.store().answers(campaign.id())).extracting(JudgingStore.Answer::p1Left)
                    .containsOnly(true, false).contains(true, false);

            HttpResponse<byte[]> zip = ServeFixtures.HTTP.send(HttpRequest.newBuilder(server.base()
                    .resolve("/api/campaigns/" + campaign.id() + "/export")).header("Authorization",
                    ServeFixtures.bearer(campaign.adminToken())).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(zip.statusCode()).isEqualTo(200);
            assertThat(zipEntries(zip.body())).contains("lab-photos/judging-summary.json",
                    "lab-photos/waves/judge/000000.npy", "lab-photos/stripes/p1/000002.png")
                    .noneMatch(e -> e.contains("catch"));
        }

        Path export = tmp.resolve("export");
        PlabRun exported = PlabRun.of("serve", "campaign", "export", "--home", home.toString(), "--name", "lab-photos",
                "--out", export.toString());
        assertThat(exported.exit()).as(exported.err()).isZero();
        assertThat(exported.out()).contains("exported 6 triplets", "raters counted 2, excluded 1",
                "human ceiling 1.000");
        JsonNode summary = JSON.readTree(export.resolve(JudgingExport.SUMMARY).toFile());
        assertThat(summary.get("judge").asText()).isEqualTo("human");
        assertThat(summary.get("raters")).extracting(r -> r.get("excluded").asBoolean() + "/" + r.get("catchFailed"))
                .containsExactly("false/0", "false/0", "true/2");
        assertThat(summary.get("raters")).allSatisfy(r -> assertThat(r.get("medianTimeMs").asLong()).isEqualTo(850));
        assertThat(summary.get("triplets")).hasSize(6).allSatisfy(t -> {
            assertThat(t.get("raters").asInt()).isEqualTo(2);
            assertThat(t.get("preferP1").asDouble()).isEqualTo(1.0);
        });
        assertThat(summary.get("humanCeiling").asDouble()).isEqualTo(1.0);
        assertThat(summary.get("agreement").asDouble()).isEqualTo(1.0);
        assertThat(new TreeSet<>(List.of(export.toFile().list()))).containsExactly(JudgingExport.SUMMARY, "stripes",
                "waves");

        PlabRun twoAfc = PlabRun.of("run", "2afc", "--loss", "l2", "-e", "data=" + export, "-e", "size=32",
                "--out", tmp.resolve("run").toString());
        assertThat(twoAfc.exit()).as(twoAfc.err()).isZero();
        JsonNode cell = JSON.readTree(tmp.resolve("run/results.json").toFile()).get("cells").get(0);
        assertThat(cell.at("/metrics/triplets").asDouble()).as(cell.toString()).isEqualTo(6.0);
        assertThat(cell.at("/metrics/score").asDouble()).isBetween(0.0, 1.0);
        assertThat(cell.path("synthetic").asBoolean()).isFalse();
    }

    @Test
    void humanCeilingAndAgreementFollowTheLpipsDefinitions(@TempDir Path tmp) throws Exception {
        // Three raters on six triplets: two prefer p1, one p0, so p = 2/3 everywhere; no catch trials.
        Path set = ServeFixtures.bappsSet(tmp.resolve("set"), 3, 16);
        Path home = tmp.resolve("home");
        ServeFixtures.Campaign campaign = ServeFixtures.createCampaign(home, set, "split", 0);
        Map<String, String> roles = ServeFixtures.rolesByContent(set);
        try (ServeFixtures.Server server = ServeFixtures.start(home, JudgingServer.Limits.DEFAULT)) {
            for (Taste taste : List.of(Taste.ATTENTIVE_P1, Taste.ATTENTIVE_P1, Taste.CARELESS_P0)) {
                RaterClient rater = RaterClient.join(server.base(), campaign.invitePath(), roles, taste);
                while (rater.answerNext(a -> { })) {
                    // all six
                }
            }
            JsonNode summary = JudgingExport.write(server.store(), server.store().campaignById(campaign.id())
                    .orElseThrow(), tmp.resolve("export"), 0.25);
            double p = 2.0 / 3;
            assertThat(summary.get("humanCeiling").asDouble()).isCloseTo(p * p + (1 - p) * (1 - p), within(1e-12));
            // Of the three rater pairs, one agrees.
            assertThat(summary.get("agreement").asDouble()).isCloseTo(1.0 / 3, within(1e-12));
            assertThat(summary.get("ratersExcluded").asInt()).isZero();
        }
    }

    @Test
    void campaignCommandsRefuseBadInputWithExitCode2(@TempDir Path tmp) {
        Path home = tmp.resolve("home");
        PlabRun missing = PlabRun.of("serve", "campaign", "create", "--home", home.toString(), "--from",
                tmp.resolve("nowhere").toString(), "--name", "x");
        assertThat(missing.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(missing.err()).contains("no such folder; give a BAPPS-layout set").doesNotContain("Exception");

        Path set = ServeFixtures.bappsSet(tmp.resolve("set"), 1, 8);
        PlabRun badName = PlabRun.of("serve", "campaign", "create", "--home", home.toString(), "--from",
                set.toString(), "--name", "../up");
        assertThat(badName.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(badName.err()).contains("campaign name '../up': use 1 to 100 letters");
        ServeFixtures.createCampaign(home, set, "twice", 0.1);
        PlabRun twice = PlabRun.of("serve", "campaign", "create", "--home", home.toString(), "--from", set.toString(),
                "--name", "twice");
        assertThat(twice.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(twice.err()).contains("a campaign named 'twice' exists already; choose another --name");

        PlabRun badDb = PlabRun.of("serve", "campaign", "export", "--db", "jdbc:mysql://x/y", "--name", "twice",
                "--out", tmp.resolve("out").toString());
        assertThat(badDb.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(badDb.err()).contains("give a JDBC URL of SQLite");
        PlabRun unknown = PlabRun.of("serve", "campaign", "export", "--home", home.toString(), "--name", "nope",
                "--out", tmp.resolve("out").toString());
        assertThat(unknown.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(unknown.err()).contains("no campaign named 'nope'");
    }

    @Test
    void anExportBeforeAnyAnswerHasNoCeilingRatherThanAMadeUpOne(@TempDir Path tmp) throws Exception {
        Path home = tmp.resolve("home");
        ServeFixtures.createCampaign(home, ServeFixtures.bappsSet(tmp.resolve("set"), 1, 8), "fresh", 0.1);
        PlabRun exported = PlabRun.of("serve", "campaign", "export", "--home", home.toString(), "--name", "fresh",
                "--out", tmp.resolve("out").toString());
        assertThat(exported.exit()).as(exported.err()).isZero();
        assertThat(exported.out()).contains("exported 0 triplets (2 unanswered left out)",
                "human ceiling n/a (too few answers)");
        JsonNode summary = JSON.readTree(tmp.resolve("out").resolve(JudgingExport.SUMMARY).toFile());
        assertThat(summary.get("humanCeiling").isNull()).isTrue();
        assertThat(summary.get("agreement").isNull()).isTrue();
    }

    private static List<String> zipEntries(byte[] zip) throws Exception {
        List<String> out = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                out.add(e.getName());
            }
        }
        return out;
    }
}
