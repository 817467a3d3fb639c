package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.io.JsonFiles;
import org.perceptuallab.host.run.CellOutcome;
import org.perceptuallab.testkit.Fixtures;

/** A matrix run keeps a finished cell only when its record is intact; any other is run again, saying why. */
class IntactRecordsTest {

    @Test
    void anEditedRecordOrOneOfAnUnknownVersionIsRunAgainAndTheRunSaysWhy(@TempDir Path tmp) throws Exception {
        Path file = MatrixFixtures.write(tmp, "m.yaml", """
                losses: [l2, l1]
                experiments: [{experiment: image-mean, params: {data: %s, size: 8, crops: 2, jitter: 1, steps: 2}}]
                """.formatted(Fixtures.photos().resolve("coffee.png")));
        Path out = tmp.resolve("out");
        ResultStore store = new ResultStore(out);
        try (Lab lab = MatrixFixtures.lab(0)) {
            new MatrixRunner(lab, new PrintWriter(new StringWriter())).run(MatrixSpec.read(file), out);
            Path l2 = store.cellDirs("image-mean", "l2").get(0).resolve(ResultStore.RESULT);
            Path l1 = store.cellDirs("image-mean", "l1").get(0).resolve(ResultStore.RESULT);
            ObjectNode edited = (ObjectNode) JsonFiles.JSON.readTree(l2.toFile());
            double recorded = edited.at("/metrics/distanceEnd").asDouble();
            ((ObjectNode) edited.get("metrics")).put("distanceEnd", 0.0);
            Files.writeString(l2, edited.toPrettyString());
            ObjectNode future = (ObjectNode) JsonFiles.JSON.readTree(l1.toFile());
            future.put("schema", 7);
            Files.writeString(l1, future.toPrettyString());

            StringWriter log = new StringWriter();
            MatrixRunner.Result again = new MatrixRunner(lab, new PrintWriter(log)).run(MatrixSpec.read(file), out);
            assertThat(again.skipped()).as(log.toString()).isZero();
            assertThat(again.done()).isEqualTo(2);
            assertThat(log.toString())
                    .containsPattern("image-mean x l2: stored result not kept: its .*result\\.json does not match its"
                            + " content hash \\(edited after it was written\\); running the cell again")
                    .containsPattern("image-mean x l1: stored result not kept: its .*result\\.json is of schema"
                            + " version 7, not one this plab reads \\(1 or 2\\)")
                    .containsPattern("image-mean x l2: done in").containsPattern("image-mean x l1: done in");
            assertThat(store.load(l2.getParent()).record()).hasValueSatisfying(r ->
                    assertThat(((CellOutcome.Done) r).metrics().get("distanceEnd")).isNotZero().isCloseTo(recorded, withinPercentage(0.1)));
        }
    }
}
