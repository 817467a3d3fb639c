package org.perceptuallab.host.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.testkit.Fixtures;

/**
 * The rater page in headless Chromium at desktop and phone width, after two answers: the screenshots are kept
 * under target/serve-screenshots for a person to look at (skipped, not passed, without Chromium).
 */
class ServePageScreenshotTest {
    @Test
    void raterPageRendersAtDesktopAndPhoneWidth(@TempDir Path tmp) throws Exception {
        Path chromium = Fixtures.externalProgram(Path.of("/usr/bin/chromium"),
                "apt-get install chromium (.ci/run installs it)");
        Path set = ServeFixtures.bappsSet(tmp.resolve("set"), 4, 64);
        Path home = tmp.resolve("home");
        ServeFixtures.Campaign campaign = ServeFixtures.createCampaign(home, set, "photos-2026", 0.1);
        Path shots = Path.of("target", "serve-screenshots").toAbsolutePath();
        Files.createDirectories(shots);
        try (ServeFixtures.Server server = ServeFixtures.start(home, JudgingServer.Limits.DEFAULT)) {
            RaterClient rater = RaterClient.join(server.base(), campaign.invitePath(),
                    ServeFixtures.rolesByContent(set), RaterClient.Taste.ATTENTIVE_P1);
            rater.answerNext(a -> { });
            rater.answerNext(a -> { });
            String page = server.base() + "/r/" + rater.token();
            for (String[] size : new String[][] {{"desktop", "1280,800"}, {"phone", "390,844"}}) {
                Path png = shots.resolve("rater-" + size[0] + ".png");
                Files.deleteIfExists(png);
                Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-quic", "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                        "--user-data-dir=" + tmp.resolve("chromium-profile"), "--virtual-time-budget=5000",
                        "--screenshot=" + png, "--window-size=" + size[1], page)
                        .redirectErrorStream(true).redirectOutput(tmp.resolve("chromium.log").toFile()).start();
                assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
                assertThat(png).as(Files.readString(tmp.resolve("chromium.log"))).isRegularFile();
                assertThat(Files.size(png)).isGreaterThan(10_000);
                System.out.println("rater page at " + size[0] + " width: " + png);
            }
            // Looking at the page counts nothing: the rater is still on its third trial.
            assertThat(rater.next().get("answered").asInt()).isEqualTo(2);
        }
    }
}
