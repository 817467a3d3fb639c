package org.perceptuallab.host.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.perceptuallab.host.PlabRun;
import org.perceptuallab.host.web.RaterClient.Taste;

/**
 * The judging campaign as people run it, in Debian's Chromium: the lead makes the campaign with the CLI, three
 * raters judge in three browser sessions (clicks and the keys 1 and 2), {@code plab serve} is killed with -9
 * mid-way and started again, the raters reload their pages and finish, and the export is scored by the 2AFC
 * experiment.
 */
class ServeBrowserJudgingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void threeRatersInThreeBrowsersSurviveAKillDashNineAndTheirExportIsScoredAsHuman(@TempDir Path tmp)
            throws Exception {
        try (Browsers browsers = Browsers.start()) {
            Path set = ServeFixtures.bappsSet(tmp.resolve("set"), 4, 32);
            Path home = tmp.resolve("home");
            ServeFixtures.Campaign campaign = ServeFixtures.createCampaign(home, set, "browser", 0.1);
            int trials = campaign.triplets() + campaign.catchTrials();
            Map<String, String> roles = ServeFixtures.rolesByContent(set);
            int port = freePort(); // the same address after the restart, as the raters' open pages have it

            Process first = ServeFixtures.serveProcess(home, port, tmp.resolve("first.log"));
            URI base = ServeFixtures.awaitListening(first, tmp.resolve("first.log"));
            List<Rater> raters = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                WebDriver page = browsers.open(i == 2 ? Browsers.PHONE : Browsers.DESKTOP);
                page.get(base.resolve(campaign.invitePath()).toString());
                String url = page.getCurrentUrl();
                assertThat(url).as("the invitation redirects to the rater's own page").matches(".*/r/[0-9a-f]{32}");
                String token = url.substring(url.lastIndexOf('/') + 1);
                raters.add(new Rater(page, new RaterClient(base, token, roles, Taste.ATTENTIVE_P1), i));
            }
            // Half of each rater's trials, in turns, then the kill.
            int beforeKill = trials / 2;
            for (int answered = 0; answered < beforeKill; answered++) {
                for (Rater r : raters) {
                    r.answer(answered, trials);
                }
            }
            Browsers.screenshot(raters.get(0).page, "rater-desktop");
            Browsers.screenshot(raters.get(2).page, "rater-phone");
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

            Process second = ServeFixtures.serveProcess(home, port, tmp.resolve("second.log"));
            assertThat(ServeFixtures.awaitListening(second, tmp.resolve("second.log"))).isEqualTo(base);
            for (Rater r : raters) {
                r.page.navigate().refresh(); // the rater comes back: the page resumes at the next unanswered trial
                r.awaitAnswered(beforeKill, trials);
                for (int answered = beforeKill; answered < trials; answered++) {
                    r.answer(answered, trials);
                }
                Browsers.await(r.page, d -> d.findElement(By.id("done")).isDisplayed());
            }
            second.destroy();
            assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();

            Path export = tmp.resolve("export");
            PlabRun exported = PlabRun.of("serve", "campaign", "export", "--home", home.toString(), "--name",
                    "browser", "--out", export.toString());
            assertThat(exported.exit()).as(exported.err()).isZero();
            JsonNode summary = JSON.readTree(export.resolve(JudgingExport.SUMMARY).toFile());
            assertThat(summary.get("judge").asText()).isEqualTo("human");
            assertThat(summary.get("raters")).hasSize(3).allSatisfy(r -> {
                assertThat(r.get("answers").asInt()).as("each trial once per rater").isEqualTo(trials);
                assertThat(r.get("excluded").asBoolean()).as("every catch trial passed").isFalse();
            });
            assertThat(summary.get("triplets")).hasSize(campaign.triplets()).allSatisfy(t -> {
                assertThat(t.get("raters").asInt()).isEqualTo(3);
                assertThat(t.get("preferP1").asDouble()).as("every rater chose p1").isEqualTo(1.0);
            });

            PlabRun twoAfc = PlabRun.of("run", "2afc", "--loss", "l2", "-e", "data=" + export, "-e", "size=32",
                    "--out", tmp.resolve("run").toString());
            assertThat(twoAfc.exit()).as(twoAfc.err()).isZero();
            JsonNode cell = JSON.readTree(tmp.resolve("run/results.json").toFile()).get("cells").get(0);
            assertThat(cell.at("/metrics/triplets").asInt()).isEqualTo(campaign.triplets());
            assertThat(cell.path("synthetic").asBoolean()).as("people judged it").isFalse();
            // Every rater chose p1 (h = 1): a triplet scores 1 where l2 puts p1 nearer, 0 where p0.
            assertThat(cell.at("/metrics/score").asDouble() * campaign.triplets()).as("a whole number of triplets")
                    .isCloseTo(Math.rint(cell.at("/metrics/score").asDouble() * campaign.triplets()),
                            Offset.offset(1e-9));
        }
    }

    /** A rater's browser session: answers with a click on even trials and the keys 1/2 on odd ones. */
    private record Rater(WebDriver page, RaterClient taste, int index) {
        void answer(int answeredSoFar, int trials) throws InterruptedException {
            awaitAnswered(answeredSoFar, trials);
            Browsers.await(page, d -> d.findElements(By.cssSelector("#trial img")).stream().allMatch(img ->
                    Boolean.TRUE.equals(((JavascriptExecutor) d).executeScript(
                            "return arguments[0].complete && arguments[0].naturalWidth > 0", img))));
            String side = taste.pick(page.findElement(By.id("left")).getAttribute("src"),
                    page.findElement(By.id("right")).getAttribute("src"));
            if ((answeredSoFar + index) % 2 == 0) {
                WebElement target = page.findElement(By.id(side.equals("left") ? "choose-left" : "choose-right"));
                target.click();
            } else {
                page.findElement(By.tagName("body")).sendKeys(side.equals("left") ? "1" : "2");
            }
            awaitAnswered(answeredSoFar + 1, trials);
        }

        void awaitAnswered(int answered, int trials) throws InterruptedException {
            Browsers.await(page, d -> d.findElement(By.id("count")).getText().equals(answered + " of " + trials
                    + " answered"));
        }
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
