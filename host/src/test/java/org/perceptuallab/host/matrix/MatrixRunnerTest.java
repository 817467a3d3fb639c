package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.ApiVersion;
import org.perceptuallab.host.Lab;
import org.perceptuallab.testkit.Fixtures;

/**
 * A small matrix over both experiments: a failing cell is recorded with its error and the others run;
 * provenance is complete; the CSV has one row per cell and metric; the report renders.
 */
class MatrixRunnerTest {
    @TempDir
    static Path tmp;
    static Path out;
    static MatrixRunner.Result outcome;

    @BeforeAll
    static void runSmallMatrix() throws Exception {
        Path photo = Fixtures.photos().resolve("coffee.png");
        Path file = MatrixFixtures.write(tmp, "small.yaml", """
                name: small
                seed: 3
                losses:
                  - {loss: l2, name: L2}
                  - {loss: l1, name: broken, params: {noSuchParam: 1}}
                  - {loss: ssim}
                experiments:
                  - experiment: 2afc
                    params: {generateFrom: %s, generateTriplets: 24, generateSeed: 1, bootstrap: 200, batch: 12}
                  - experiment: image-mean
                    params: {data: %s, size: 16, crops: 3, jitter: 2, steps: 30, lr: 0.02, startMode: noise}
                """.formatted(photo.getParent(), photo));
        out = tmp.resolve("out");
        StringWriter log = new StringWriter();
        try (Lab lab = MatrixFixtures.lab(3)) {
            outcome = new MatrixRunner(lab, new PrintWriter(log, true)).run(MatrixSpec.read(file), out);
        }
    }

    @Test
    void failedCellIsRecordedAndTheRestGoOnWithCompleteProvenanceAndReport() throws Exception {
        assertThat(outcome.done()).isEqualTo(4);
        assertThat(outcome.failed()).isEqualTo(2);

        JsonNode cells = MatrixFixtures.results(out).get("cells");
        assertThat(cells).hasSize(6);
        Map<String, JsonNode> defaults = new HashMap<>();
        try (Lab lab = MatrixFixtures.lab(3)) {
            for (String id : List.of("l2", "ssim")) {
                defaults.put(id, lab.losses().families().require(id).extension().params().resolve("test", null).json());
            }
        }
        assertThat(defaults.get("ssim").size()).as("ssim has parameters, all filled in").isGreaterThanOrEqualTo(2);
        List<String> order = new ArrayList<>();
        for (JsonNode c : cells) {
            order.add(c.get("experiment").asText() + "/" + c.get("loss").asText() + "=" + c.get("status").asText());
            if (c.get("loss").asText().equals("broken")) {
                assertThat(c.get("error").asText()).contains("noSuchParam");
                continue;
            }
            JsonNode p = c.get("provenance");
            assertThat(p.path("experiment").path("plugin").asText()).startsWith("plugin experiment-");
            assertThat(p.path("loss").path("plugin").asText()).startsWith("plugin losses-pixel");
            String lossId = p.path("loss").path("spec").path("loss").asText();
            assertThat(p.path("loss").path("spec").path("params")).as("canonical params, defaults filled in")
                    .isEqualTo(defaults.get(lossId));
            assertThat(p.at("/run/seed").asLong()).isEqualTo(3);
            assertThat(p.at("/run/engineSeed").asInt()).isEqualTo(Long.hashCode(3));
            assertThat(p.at("/run/data/sha256").asText()).matches("[0-9a-f]{64}");
            assertThat(p.at("/software/host").asText()).isNotEmpty();
            assertThat(p.at("/software/api").asText()).isEqualTo(ApiVersion.CURRENT);
            assertThat(p.at("/software/engine").asText()).startsWith("PyTorch 2.");
            assertThat(p.at("/software/djl").asText()).matches("\\d+\\.\\d+\\.\\d+.*");
            assertThat(p.at("/run/device").asText()).isEqualTo("cpu()");
            assertThat(p.path("plugins")).isNotEmpty().allSatisfy(jar -> {
                assertThat(jar.path("sha256").asText()).matches("[0-9a-f]{64}");
                assertThat(Path.of(jar.path("jar").asText())).isRegularFile();
            });
            Instant started = Instant.parse(p.at("/timing/started").asText());
            Instant ended = Instant.parse(p.at("/timing/ended").asText());
            assertThat(Duration.between(started, ended).toMillis() / 1000.0)
                    .isCloseTo(p.at("/timing/seconds").asDouble(), within(0.002));
        }
        assertThat(order).containsExactly("2afc/L2=done", "2afc/broken=failed", "2afc/ssim=done",
                "image-mean/L2=done", "image-mean/broken=failed", "image-mean/ssim=done");
        JsonNode twoAfc = cells.get(0);
        assertThat(twoAfc.get("synthetic").asBoolean()).isTrue();
        assertThat(twoAfc.get("metrics").get("triplets").asInt()).isEqualTo(24);
        assertThat(twoAfc.at("/metricTypes/triplets/kind").asText()).isEqualTo("COUNT");
        assertThat(twoAfc.at("/metricTypes/score/better").asText()).isEqualTo("HIGHER");
        assertThat(twoAfc.get("headline").asText()).isEqualTo("score");
        // The overall score is the triplet-weighted mean of the per-category rows the cell's table holds.
        double weighted = 0;
        int triplets = 0;
        for (JsonNode row : twoAfc.at("/tables/0/rows")) {
            weighted += row.get(1).asDouble() * row.get(4).asInt();
            triplets += row.get(4).asInt();
        }
        assertThat(triplets).isEqualTo(24);
        assertThat(twoAfc.get("metrics").get("score").asDouble()).isCloseTo(weighted / triplets, within(1e-12));
        JsonNode mean = cells.get(3);
        assertThat(mean.get("metrics").get("distanceEnd").asDouble())
                .isLessThan(mean.get("metrics").get("distanceStart").asDouble());

        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        long metricRows = 0;
        for (JsonNode c : cells) {
            metricRows += Math.max(1, c.path("metrics").size());
        }
        assertThat(csv).hasSize(1 + (int) metricRows);
        assertThat(csv.get(0)).startsWith("experiment,experiment_id,loss");

        String html = Files.readString(outcome.report());
        assertThat(html).contains("<h2 id=\"2afc\">", "<h2 id=\"image-mean\">", "synthetic data", "failed:", "noSuchParam")
                .doesNotContain("http://", "https://", "<script");
        Matcher src = Pattern.compile("src=\"([^\"]+)\"").matcher(html);
        int images = 0;
        while (src.find()) {
            assertThat(out.resolve(src.group(1))).as("every image the report shows exists").isRegularFile();
            images++;
        }
        assertThat(images).as("image-mean: result, figure and curve per loss, the targets and the (seeded) start once")
                .isGreaterThanOrEqualTo(2 * 3 + 2);
        for (JsonNode c : cells) {
            if (c.path("status").asText().equals("done") && c.path("experiment").asText().equals("image-mean")) {
                assertThat(html).contains(c.at("/images/result").asText(), c.at("/curves/loss/plot").asText());
            }
        }
        int rows = html.split("<div class=\"cmprow\">", -1).length - 1;
        assertThat(html.split("alt=\"targets\"", -1).length - 1).as("the shared targets: first in each row of the"
                + " image mean's side-by-side view, not repeated per loss")
                .isEqualTo(html.substring(html.indexOf("<h2 id=\"image-mean\">")).split("<div class=\"cmprow\">", -1)
                        .length - 1).isPositive().isLessThan(rows);
    }

    @Test
    void reportSaysTheFailuresFirstThenTheOverviewAndTheSideBySideViewsThenNotesAndDetails() throws Exception {
        String html = Files.readString(outcome.report());
        int failures = html.indexOf("<div class=\"failures\"");
        int overview = html.indexOf("<h2 id=\"overview\">");
        int gallery = html.indexOf("<div class=\"gallery\">");
        int details = html.indexOf("<h2 id=\"2afc-details\">");
        assertThat(failures).as("the failed cells, in red, come first").isPositive().isLessThan(overview);
        assertThat(html.substring(failures, overview)).contains("2 cells failed", "2afc &times; broken",
                "image-mean &times; broken", "noSuchParam");
        assertThat(overview).isLessThan(gallery);
        assertThat(gallery).isLessThan(details);
        int notes = html.indexOf("<h2 id=\"notes\">");
        if (notes >= 0) {
            assertThat(notes).as("notes after the side-by-side views").isGreaterThan(gallery).isLessThan(details);
        }
    }

    @Test
    void sideBySideViewShowsTheInputThenOneColumnPerLossBestHeadlineFirstEachPictureLinkingToItsFile() throws Exception {
        String html = Files.readString(outcome.report());
        int from = html.indexOf("<h2 id=\"image-mean\">");
        String imageMean = html.substring(from, html.indexOf("<h2 ", from + 1));
        JsonNode cells = MatrixFixtures.results(out).get("cells");
        List<String> expected = new ArrayList<>();
        List<JsonNode> done = new ArrayList<>();
        cells.forEach(c -> {
            if (c.get("experiment").asText().equals("image-mean") && c.get("status").asText().equals("done")) {
                done.add(c);
            }
        });
        String headline = done.get(0).get("headline").asText();
        boolean higher = done.get(0).at("/metricTypes/" + headline + "/better").asText().equals("HIGHER");
        done.sort((a, b) -> (higher ? -1 : 1) * Double.compare(a.at("/metrics/" + headline).asDouble(),
                b.at("/metrics/" + headline).asDouble()));
        done.forEach(c -> expected.add(c.get("loss").asText()));
        expected.add("broken");
        String firstRow = imageMean.substring(imageMean.indexOf("<div class=\"cmprow\">"),
                imageMean.indexOf("</div>", imageMean.indexOf("<div class=\"cmprow\">")));
        assertThat(firstRow).as("the input first").startsWith("<div class=\"cmprow\"><figure class=\"cmp input\">");
        Matcher label = Pattern.compile("<figcaption><b>([^<]+)</b>").matcher(firstRow);
        List<String> columns = new ArrayList<>();
        while (label.find()) {
            columns.add(label.group(1));
        }
        assertThat(columns).as("the losses best first, the failed one last").isEqualTo(expected);
        assertThat(firstRow).contains("<figure class=\"cmp failedcell\"><figcaption><b>broken</b><br>failed: ");
        for (JsonNode c : done) {
            String result = c.at("/images/result").asText();
            assertThat(imageMean).contains("<a href=\"" + result + "\"><img src=\"" + result + "\"");
        }
    }

    /** The report loads and paints in headless Chromium, offline (skipped, not passed, without Chromium). */
    @Test
    void reportRendersInHeadlessChromium() throws Exception {
        Path chromium = Fixtures.externalProgram(Path.of("/usr/bin/chromium"),
                "apt-get install chromium (.ci/run installs it)");
        Path report = outcome.report();
        Path png = tmp.resolve("report.png");
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + tmp.resolve("chromium-profile"),
                "--screenshot=" + png, "--window-size=1400,1200", report.toUri().toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("chromium.log").toFile()).start();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(png).as(Files.readString(tmp.resolve("chromium.log"))).isRegularFile();
        assertThat(Files.size(png)).isGreaterThan(10_000);
    }
}
