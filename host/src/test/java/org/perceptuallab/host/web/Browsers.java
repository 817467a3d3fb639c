package org.perceptuallab.host.web;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.RemoteWebDriver;
import org.perceptuallab.testkit.Fixtures;

/**
 * Debian's Chromium, headless, driven by Selenium through Debian's {@code /usr/bin/chromedriver}: the driver is
 * started here and the browser named by its path, so Selenium Manager has nothing to look up or download. Each
 * {@link #open} is a browser session of its own (its own profile, so its own cookies and storage). Screenshots go
 * to {@code target/serve-screenshots}.
 */
final class Browsers implements AutoCloseable {
    static final Path SHOTS = Path.of("target", "serve-screenshots").toAbsolutePath();
    /** Desktop and phone sizes of the screenshots. */
    static final Dimension DESKTOP = new Dimension(1280, 900);
    static final Dimension PHONE = new Dimension(390, 844);

    private final Process driver;
    private final URL address;
    private final Path chromium;
    private final List<WebDriver> open = new ArrayList<>();

    private Browsers(Process driver, URL address, Path chromium) {
        this.driver = driver;
        this.address = address;
        this.chromium = chromium;
    }

    /** Starts chromedriver (skipped, naming the package, where Chromium or its driver is missing; failed under CI). */
    static Browsers start() throws IOException, InterruptedException {
        Path driver = Fixtures.externalProgram(Path.of("/usr/bin/chromedriver"),
                "apt-get install chromium-driver (.ci/run installs it)");
        Path chromium = Fixtures.externalProgram(Path.of("/usr/bin/chromium"),
                "apt-get install chromium (.ci/run installs it)");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        // chromedriver run here, as a person would start it; the sessions talk to it over WebDriver's protocol.
        Process process = new ProcessBuilder(driver.toString(), "--port=" + port).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        URL address = URI.create("http://127.0.0.1:" + port).toURL();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            try (Socket ready = new Socket("127.0.0.1", port)) {
                return new Browsers(process, address, chromium);
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IOException(driver + " did not start listening on port " + port, notYet);
                }
                Thread.sleep(50);
            }
        }
    }

    /** A new browser session with a window of {@code size}. */
    WebDriver open(Dimension size) {
        ChromeOptions options = new ChromeOptions().setBinary(chromium.toFile()).addArguments("--headless=new",
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--hide-scrollbars", "--window-size=" + size.getWidth() + "," + size.getHeight());
        if (size.getWidth() < 500) { // Chrome's windows are at least 500 wide: a phone's viewport is emulated
            options.setExperimentalOption("mobileEmulation", Map.of("deviceMetrics", Map.of("width", size.getWidth(),
                    "height", size.getHeight(), "pixelRatio", 1.0)));
        }
        WebDriver session = new RemoteWebDriver(address, options);
        open.add(session);
        return session;
    }

    /** Waits (at most 20 s) until {@code condition} holds on the page: a true or non-null answer. */
    static <T> T await(WebDriver driver, Function<WebDriver, T> condition) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                T answer = condition.apply(driver);
                if (answer != null && !Boolean.FALSE.equals(answer)) {
                    return answer;
                }
            } catch (WebDriverException notYet) { // an element not there yet, or replaced while read
                last = notYet;
            }
            Thread.sleep(25);
        }
        String text = driver.findElement(org.openqa.selenium.By.tagName("body")).getText();
        throw new AssertionError("the page did not get there within 20 s: " + driver.getCurrentUrl() + " shows:\n"
                + text.substring(0, Math.min(1500, text.length())), last);
    }

    /** The page as it is now, at the window's size, under {@link #SHOTS}. */
    static Path screenshot(WebDriver driver, String name) throws IOException {
        Files.createDirectories(SHOTS);
        Path png = SHOTS.resolve(name + ".png");
        Files.write(png, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        System.out.println("screenshot: " + png);
        return png;
    }

    @Override
    public void close() {
        open.forEach(WebDriver::quit);
        driver.destroy();
        try {
            if (!driver.waitFor(10, TimeUnit.SECONDS)) {
                driver.destroyForcibly();
            }
        } catch (InterruptedException e) {
            driver.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
