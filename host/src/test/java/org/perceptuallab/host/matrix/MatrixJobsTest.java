package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.run.RunConfiguration;
import org.perceptuallab.kit.io.ReadBudget;
import org.perceptuallab.testkit.Fixtures;

/**
 * Cells side by side ({@code --jobs 2}, worker processes) with the decoded-image cache give the figures of
 * one process without a cache, and a rerun keeps every cell.
 */
class MatrixJobsTest {
    @Test
    void twoJobsWithTheCacheGiveTheFiguresOfOneJobWithout(@TempDir Path dir) throws Exception {
        Path file = MatrixFixtures.write(dir, "jobs.yaml", """
                name: jobs
                seed: 3
                losses: [l2, ssim]
                experiments:
                  - experiment: 2afc
                    params: {generateFrom: %s, generateTriplets: 12, size: 16, bootstrap: 50}
                  - experiment: image-mean
                    params: {data: %s, size: 16, crops: 3, jitter: 2, steps: 10, lr: 0.01}
                """.formatted(Fixtures.photos(), Fixtures.photo("chelsea.png")));
        Path single = dir.resolve("single");
        Path parallel = dir.resolve("parallel");
        StringWriter log = new StringWriter();
        try (Lab lab = MatrixFixtures.lab(3)) {
            new MatrixRunner(lab, new PrintWriter(new StringWriter(), true)).run(MatrixSpec.read(file),
                    RunConfiguration.of(lab.settings(), single).withCacheFolder(null));
            MatrixRunner.Result outcome = new MatrixRunner(lab, new PrintWriter(log, true)).run(MatrixSpec.read(file),
                    RunConfiguration.of(lab.settings(), parallel).withJobs(2));
            assertThat(outcome.done()).as(log.toString()).isEqualTo(4);
            MatrixRunner.Result rerun = new MatrixRunner(lab, new PrintWriter(new StringWriter(), true))
                    .run(MatrixSpec.read(file), RunConfiguration.of(lab.settings(), parallel).withJobs(2));
            assertThat(rerun.skipped()).isEqualTo(4);
        }
        assertThat(log.toString()).contains("2 cells at once");
        assertThat(single.resolve(RunConfiguration.CACHE)).doesNotExist();
        assertThat(parallel.resolve(RunConfiguration.CACHE).resolve("decoded-images")).isNotEmptyDirectory();
        MatrixFixtures.assertSameFigures(MatrixFixtures.figures(parallel), MatrixFixtures.figures(single));
    }

    @Test
    void aReadBudgetSetInTheHostHoldsInItsWorkerProcesses(@TempDir Path dir) throws Exception {
        Path file = MatrixFixtures.write(dir, "budget.yaml", """
                name: budget
                losses: [l2, l1]
                experiments:
                  - experiment: image-mean
                    params: {data: %s, size: 16, crops: 2, jitter: 1, steps: 2}
                """.formatted(Fixtures.photo("chelsea.png")));
        String property = ReadBudget.Limit.IMAGE_PIXELS.property();
        StringWriter log = new StringWriter();
        System.setProperty(property, "1000");
        try (Lab lab = MatrixFixtures.lab(3)) {
            MatrixRunner.Result outcome = new MatrixRunner(lab, new PrintWriter(log, true)).run(MatrixSpec.read(file),
                    RunConfiguration.of(lab.settings(), dir.resolve("out")).withJobs(2).withCacheFolder(null));
            assertThat(log.toString()).contains("2 cells at once");
            assertThat(outcome.failed()).as("each worker refuses the photo under the host's budget").isEqualTo(2);
        } finally {
            System.clearProperty(property);
        }
        for (var c : MatrixFixtures.results(dir.resolve("out")).get("cells")) {
            assertThat(c.path("error").asText()).contains(property);
        }
    }
}
