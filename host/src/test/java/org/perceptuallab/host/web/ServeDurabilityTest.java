package org.perceptuallab.host.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.host.PlabRun;
import org.perceptuallab.host.web.RaterClient.Taste;

/** {@code plab serve} in its own process, killed with -9 while three raters answer, then restarted on the same database. */
class ServeDurabilityTest {
    /** An answer the server acknowledged, with the rater's token. */
    private record Ack(String token, long trial, String side) {
    }

    @Test
    void everyAnswerAcknowledgedBeforeAKillDashNineIsExportedExactlyOnce(@TempDir Path tmp) throws Exception {
        Path set = ServeFixtures.bappsSet(tmp.resolve("set"), 10, 16);
        Path home = tmp.resolve("home");
        ServeFixtures.Campaign campaign = ServeFixtures.createCampaign(home, set, "durable", 0.1);
        int trials = campaign.triplets() + campaign.catchTrials();
        Map<String, String> roles = ServeFixtures.rolesByContent(set);

        Process first = ServeFixtures.serveProcess(home, 0, tmp.resolve("first.log"));
        URI base = ServeFixtures.awaitListening(first, tmp.resolve("first.log"));
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tokens.add(RaterClient.join(base, campaign.invitePath(), roles, Taste.ATTENTIVE_P1).token());
        }
        ConcurrentLinkedQueue<Ack> acknowledged = new ConcurrentLinkedQueue<>();
        List<Thread> raters = new ArrayList<>();
        for (String token : tokens) {
            RaterClient rater = new RaterClient(base, token, roles, Taste.ATTENTIVE_P1);
            Thread t = new Thread(() -> {
                try {
                    while (rater.answerNext(a -> acknowledged.add(new Ack(token, a.trial(), a.side())))) {
                        Thread.sleep(20); // a little slower than the machine, so that the kill lands mid-campaign
                    }
                } catch (RuntimeException | InterruptedException killed) {
                    // the server died under this rater: what it had acknowledged is in `acknowledged`
                }
            });
            t.start();
            raters.add(t);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acknowledged.size() < 15 && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        for (Thread t : raters) {
            t.join(30_000);
        }
        List<Ack> beforeKill = List.copyOf(acknowledged);
        assertThat(beforeKill.size()).as("the kill lands mid-campaign").isBetween(15, 3 * trials - 1);

        try (JudgingStore afterKill = JudgingStore.open(JudgingStore.defaultUrl(home), home)) {
            Set<String> stored = storedAnswers(afterKill, campaign.id(), tokens);
            for (Ack a : beforeKill) {
                assertThat(stored).as("acknowledged before the kill").contains(asStored(afterKill, a));
            }
            // Besides the acknowledged ones, at most the answer each rater had in flight.
            assertThat(stored.size()).isBetween(beforeKill.size(), beforeKill.size() + tokens.size());
        }

        Process second = ServeFixtures.serveProcess(home, 0, tmp.resolve("second.log"));
        URI again = ServeFixtures.awaitListening(second, tmp.resolve("second.log"));
        for (String token : tokens) {
            RaterClient rater = new RaterClient(again, token, roles, Taste.ATTENTIVE_P1);
            while (rater.answerNext(a -> acknowledged.add(new Ack(token, a.trial(), a.side())))) {
                // the rest of the campaign, from where each rater was
            }
        }
        second.destroy();
        assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();

        Path export = tmp.resolve("export");
        PlabRun exported = PlabRun.of("serve", "campaign", "export", "--home", home.toString(), "--name", "durable",
                "--out", export.toString());
        assertThat(exported.exit()).as(exported.err()).isZero();
        JsonNode summary = new ObjectMapper().readTree(export.resolve(JudgingExport.SUMMARY).toFile());
        assertThat(summary.get("raters")).hasSize(3).allSatisfy(r -> {
            assertThat(r.get("answers").asInt()).as("each trial once per rater").isEqualTo(trials);
            assertThat(r.get("excluded").asBoolean()).isFalse();
        });
        assertThat(summary.get("triplets")).hasSize(campaign.triplets())
                .allSatisfy(t -> assertThat(t.get("raters").asInt()).isEqualTo(3));
        try (JudgingStore done = JudgingStore.open(JudgingStore.defaultUrl(home), home)) {
            Set<String> stored = storedAnswers(done, campaign.id(), tokens);
            assertThat(stored).hasSize(3 * trials);
            for (Ack a : acknowledged) {
                assertThat(stored).contains(asStored(done, a));
            }
        }
        System.out.printf("kill -9 after %d acknowledged answers: all %d in the database after it, %d answers in"
                + " the export, none twice%n", beforeKill.size(), beforeKill.size(), 3 * trials);
    }

    /** Each stored answer as "rater trial choice". */
    private static Set<String> storedAnswers(JudgingStore store, long campaign, List<String> tokens) {
        Set<String> out = new HashSet<>();
        store.answers(campaign).forEach(a -> out.add(a.raterId() + " " + a.trialId() + " " + a.choice()));
        assertThat(out).hasSameSizeAs(store.answers(campaign));
        return out;
    }

    /** An acknowledged answer in the database's terms: the side mapped back to p0 or p1. */
    private static String asStored(JudgingStore store, Ack a) {
        long rater = store.raterByToken(a.token()).orElseThrow().id();
        boolean p1Left = JudgingServer.p1Left(rater, a.trial());
        return rater + " " + a.trial() + " " + (a.side().equals("left") == p1Left ? "p1" : "p0");
    }
}
