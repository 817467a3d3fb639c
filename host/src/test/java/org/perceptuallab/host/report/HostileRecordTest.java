package org.perceptuallab.host.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.Metric;
import org.perceptuallab.api.Table;
import org.perceptuallab.host.CsvRows;
import org.perceptuallab.host.PlabRun;
import org.perceptuallab.host.matrix.ResultStore;
import org.perceptuallab.host.run.CellOutcome;

/**
 * A results folder shared by someone else may hold any record: the report links only images inside the
 * folder (others are left out with a warning) and escapes every string; the CSV quotes every cell.
 */
class HostileRecordTest {
    static final String SCRIPT = "<script>alert('x')</script>";

    /** A done cell whose every string is markup and whose image paths point everywhere but inside. */
    static CellOutcome.Done hostile(Map<String, String> images) {
        ObjectNode key = JsonNodeFactory.instance.objectNode().put("experiment", "image-mean\"><b>").put("seed", 0);
        return new CellOutcome.Done("exp" + SCRIPT, "loss" + SCRIPT, key,
                Map.of("metric" + SCRIPT, 0.5), Map.of("metric" + SCRIPT,
                new CellOutcome.MetricType(Metric.Better.LOWER, Metric.Kind.VALUE)), "metric" + SCRIPT, images,
                Map.of("curve" + SCRIPT, new CellOutcome.Curve(List.of(1.0, 0.5), "javascript:alert(2)")),
                List.of(new Table("table" + SCRIPT, List.of("column" + SCRIPT), List.<List<Object>>of(List.of("cell" + SCRIPT)))),
                null, false, null);
    }

    @Test
    void aSharedRecordsUrlsAndPathsOutOfTheFolderAreLeftOutWithAWarningAndEveryStringIsEscaped(@TempDir Path tmp)
            throws Exception {
        Path results = tmp.resolve("shared");
        ResultStore store = new ResultStore(results);
        Path dir = store.cellDir("exp", "loss", "0123456789ab");
        Files.createDirectories(dir);
        Files.write(dir.resolve("ok image.png"), new byte[] {1});
        Files.writeString(tmp.resolve("secret.png"), "outside");
        Map<String, String> images = new LinkedHashMap<>();
        images.put("js", "javascript:alert(1)");
        images.put("remote", "http://evil.example/x.png");
        images.put("protocol-relative", "//evil.example/x.png");
        images.put("absolute", "/etc/passwd");
        images.put("up", "../secret.png");
        images.put("backslash", "cells\\..\\..\\secret.png");
        images.put("ok", results.relativize(dir.resolve("ok image.png")).toString());
        // Written through the store, so that the record is intact: a hash proves no one edited it, not that it is benign.
        store.write(dir, hostile(images));

        PlabRun run = PlabRun.of("report", results.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        String html = Files.readString(results.resolve("report.html"));
        // Every link is an anchor in the page or a file under cells/; the refused values appear as text only.
        List<String> links = new ArrayList<>();
        Matcher m = Pattern.compile("(?:href|src)=\"([^\"]*)\"").matcher(html);
        while (m.find()) {
            links.add(m.group(1));
        }
        // In a quoted attribute only '"' and '<' could end it or open markup ('>' there is plain text).
        assertThat(links).isNotEmpty().allMatch(l -> l.matches("#[^\"<]*|cells/[A-Za-z0-9_.~%/-]+") && !l.contains(".."))
                .contains("cells/exp/loss-0123456789ab/ok%20image.png");
        // Markup arrives as text: '<' escaped everywhere (a quote is plain text between tags, escaped in attributes).
        assertThat(html).doesNotContain("<script").doesNotContain("\"><b>")
                .contains("&lt;script&gt;alert(").doesNotContain("=\"exp<").contains("&#39;x&#39;");
        for (String caption : List.of("js", "remote", "protocol-relative", "absolute", "up", "backslash")) {
            assertThat(run.err()).contains("warning: report.html leaves out the image '" + caption + "' of cell exp");
        }
        assertThat(run.err()).contains("warning: report.html leaves out the plot of curve 'curve");
    }

    @Test
    void csvCellsHoldingCommasQuotesAndLineBreaksReadBackAsWritten() throws Exception {
        String name = "a,\"b\"\nc ";
        CellOutcome record = new CellOutcome.Failed("exp", name, null, "line one\nline \"two\", three", null, null,
                null);
        List<List<String>> rows = CsvRows.read(Report.csv(List.of(record)));
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).hasSize(12).startsWith("experiment", "experiment_id", "loss").endsWith("seed");
        assertThat(rows.get(1)).hasSize(12);
        assertThat(rows.get(1).get(2)).isEqualTo(name);
        assertThat(rows.get(1).get(10)).isEqualTo("line one\nline \"two\", three");
    }
}
