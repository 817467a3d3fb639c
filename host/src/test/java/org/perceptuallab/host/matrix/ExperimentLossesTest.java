package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.host.Lab;
import org.perceptuallab.testkit.Fixtures;

/**
 * An experiment's own 'losses' narrow or replace the matrix's; the cells that stay keep their keys and results;
 * its 'note' is said beside its figures.
 */
class ExperimentLossesTest {
    private static final String MATRIX = """
            name: own
            seed: 2
            losses: [{loss: l2, name: L2}, l1, ssim]
            experiments:
              - {experiment: image-mean, name: first, note: 'l1 & co: <means> compared', %s
                 params: {data: %s, size: 16, crops: 2, jitter: 1, steps: 8, lr: 0.02, startMode: mean}}
              - {experiment: image-mean, name: second, %s
                 params: {data: %s, size: 16, crops: 2, jitter: 1, steps: 8, lr: 0.05, startMode: mean}}
            """;

    @Test
    void narrowingAnExperimentsLossesKeepsTheCellsThatStayAndRunsOnlyNewOnes(@TempDir Path tmp) throws Exception {
        Path photo = Fixtures.photos().resolve("coffee.png");
        Path out = tmp.resolve("out");
        MatrixRunner.Result before = run(MatrixFixtures.write(tmp, "own.yaml", MATRIX.formatted("", photo, "", photo)),
                out);
        assertThat(before.done()).isEqualTo(6);
        Map<String, String> idsBefore = ids(out);

        // first: the matrix's l1 by its name and a new loss; second: the matrix's L2 by its id, and ssim.
        MatrixRunner.Result after = run(MatrixFixtures.write(tmp, "own.yaml", MATRIX.formatted(
                "losses: [l1, grad],", photo, "losses: [l2, ssim],", photo)), out);
        assertThat(after.skipped()).as("kept from the first run").isEqualTo(3);
        assertThat(after.done() - after.skipped()).as("run now: only first x grad").isEqualTo(1);
        Map<String, String> idsAfter = ids(out);
        assertThat(idsAfter.keySet()).containsExactly("first/grad", "first/l1", "second/L2", "second/ssim");
        for (String stays : new String[] {"first/l1", "second/L2", "second/ssim"}) {
            assertThat(idsAfter.get(stays)).as(stays).isEqualTo(idsBefore.get(stays));
        }
        String html = Files.readString(after.report());
        assertThat(html).as("the experiment's note, escaped, beside its side-by-side view").containsOnlyOnce(
                "<p class=\"note\">l1 &amp; co: &lt;means&gt; compared</p>");
        assertThat(html.indexOf("class=\"note\"")).isBetween(html.indexOf("<h2 id=\"first\">"),
                html.indexOf("<h2 id=\"second\">"));
    }

    private static MatrixRunner.Result run(Path file, Path out) throws Exception {
        try (Lab lab = MatrixFixtures.lab(2)) {
            return new MatrixRunner(lab, new PrintWriter(new StringWriter(), true)).run(MatrixSpec.read(file), out);
        }
    }

    /** The cells of results.json: experiment/loss to the cell's key, as text. */
    private static Map<String, String> ids(Path out) throws Exception {
        Map<String, String> ids = new TreeMap<>();
        for (JsonNode c : MatrixFixtures.results(out).get("cells")) {
            assertThat(c.path("status").asText()).as(c.path("error").asText()).isEqualTo("done");
            ids.put(c.get("experiment").asText() + "/" + c.get("loss").asText(), c.get("key").toString());
        }
        return ids;
    }
}
