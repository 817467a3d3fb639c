package org.perceptuallab.host.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The live view in Debian's Chromium: a results folder into which cells finish while the page is open; the page
 * shows them without a reload (the window keeps a mark a reload would wipe).
 */
class ServeBrowserLiveTest {
    @Test
    void cellsWrittenWhileThePageIsOpenShowWithoutAReload(@TempDir Path tmp) throws Exception {
        LiveStudy study = new LiveStudy(tmp.resolve("results"));
        study.done("l2", 0.2, 1);
        study.running("vgg", 40);
        try (Browsers browsers = Browsers.start();
             JudgingStore store = JudgingStore.open(JudgingStore.defaultUrl(tmp.resolve("home")), tmp.resolve("home"));
             LiveView live = LiveView.of(List.of(study.root));
             JudgingServer server = JudgingServer.start(store, "127.0.0.1", 0, JudgingServer.Limits.DEFAULT, live)) {
            WebDriver page = browsers.open(Browsers.DESKTOP);
            page.get("http://127.0.0.1:" + server.port() + "/");
            assertThat(page.getCurrentUrl()).endsWith("/live");
            Browsers.await(page, d -> progressText(d).equals("1 of 3 done"));
            Browsers.await(page, d -> d.findElement(By.cssSelector("[data-series='loss'] polyline[data-cell='vgg']")));
            ((JavascriptExecutor) page).executeScript("window.notReloaded = true");

            study.stream("vgg", 40, 90);
            study.done("vgg", 0.1, 2);
            study.failed("ssim", "out of memory at step 7");

            Browsers.await(page, d -> progressText(d).equals("2 of 3 done"));
            Browsers.await(page, d -> d.findElement(By.cssSelector(".failures")).getText()
                    .contains("out of memory at step 7"));
            assertThat(((JavascriptExecutor) page).executeScript("return window.notReloaded")).isEqualTo(true);
            // The overview ranks vgg (distance 0.1) above l2 (0.2); the failed ssim has no value and comes last.
            List<String> ranked = page.findElements(By.cssSelector("table.overview tr td:first-child")).stream()
                    .map(WebElement::getText).toList();
            assertThat(ranked).containsExactly("vgg", "l2", "ssim");
            // The comparison shows the two losses' results on the same input, both images loaded.
            WebElement compare = page.findElement(By.cssSelector(".compare"));
            assertThat(compare.findElements(By.cssSelector("figcaption")).stream().map(WebElement::getText).toList())
                    .anySatisfy(c -> assertThat(c).startsWith("vgg")).anySatisfy(c -> assertThat(c).startsWith("l2"));
            Browsers.await(page, d -> compare.findElements(By.tagName("img")).stream().allMatch(img -> Boolean.TRUE
                    .equals(((JavascriptExecutor) d).executeScript("return arguments[0].naturalWidth > 0", img))));
            Browsers.screenshot(page, "live-desktop");

            WebDriver phone = browsers.open(Browsers.PHONE);
            phone.get("http://127.0.0.1:" + server.port() + "/live");
            Browsers.await(phone, d -> progressText(d).equals("2 of 3 done"));
            Browsers.screenshot(phone, "live-phone");
        }
    }

    private static String progressText(WebDriver page) {
        return page.findElement(By.cssSelector("table.progress tr[data-experiment='image-mean'] td.count")).getText();
    }
}
