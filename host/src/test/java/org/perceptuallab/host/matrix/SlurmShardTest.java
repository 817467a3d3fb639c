package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.PlabRun;
import org.perceptuallab.host.io.JsonFiles;
import org.perceptuallab.testkit.Fixtures;

/**
 * The shipped Slurm template on a real cluster (.ci/slurm-cluster starts a single-node one): a matrix as a
 * 3-task job array over one results folder; one task is cancelled with scancel in the middle of a cell and
 * resubmitted alone; the merged results equal a single-process run cell for cell. Tagged: it runs in the
 * {@code slurm} profile ({@code ./mvnw -Pslurm ...}, which .ci/run calls), not in the default test run.
 */
@Tag("slurm")
class SlurmShardTest {
    @Test
    void aJobArrayWithOneTaskCancelledAndResubmittedMergesToTheSingleProcessResult(@TempDir Path tmp)
            throws Exception {
        Path sbatch = Fixtures.externalProgram(Path.of("/usr/bin/sbatch"),
                "apt-get install slurm-wlm munge, then .ci/slurm-cluster starts a one-node cluster");
        Path root = Fixtures.root();
        assertThat(root.resolve("host/target/plab-host.jar")).as("build the distribution first (./plab --version)")
                .isRegularFile();
        Path matrix = MatrixFixtures.sixCellMatrix(tmp, 9, 1500);
        Path results = tmp.resolve("results");
        Path script = root.resolve("examples/cluster/plab-array.sbatch");
        Map<String, String> env = Map.of("MATRIX", matrix.toString(), "RESULTS", results.toString(),
                "PLAB_HOME", root.toString(), "PLAB_HEAP", "2g");

        String job = submit(sbatch, env, tmp, "--array=0-2", script.toString());
        // Cancel one task while it is inside a cell: its running marker is there and its result is not.
        Path runningCell = waitForRunningCell(results, 180);
        JsonNode marker = JsonFiles.JSON.readTree(runningCell.resolve(ResultStore.RUNNING).toFile());
        String shard = marker.path("shard").asText();
        int index = Integer.parseInt(shard.split("/")[0]);
        run("scancel", job + "_" + index);
        waitUntilDone(job, 300);
        assertThat(runningCell.resolve(ResultStore.RESULT)).as("the cancelled task was in the middle of its cell")
                .doesNotExist();
        PlabRun partial = PlabRun.of("report", results.toString());
        assertThat(partial.out()).containsPattern("[1-9]\\d* running");

        String again = submit(sbatch, Map.of("MATRIX", matrix.toString(), "RESULTS", results.toString(),
                "PLAB_HOME", root.toString(), "PLAB_HEAP", "2g", "SHARD", shard), tmp, script.toString());
        waitUntilDone(again, 300);

        PlabRun merged = PlabRun.of("report", results.toString());
        assertThat(merged.exit()).as(merged.err()).isZero();
        assertThat(merged.out()).as(logs(tmp)).contains("6 cells: 6 done, 0 failed, 0 running, 0 missing");

        Path single = tmp.resolve("single");
        try (Lab lab = MatrixFixtures.lab(9)) {
            new MatrixRunner(lab, new PrintWriter(new StringWriter(), true)).run(MatrixSpec.read(matrix), single);
        }
        MatrixFixtures.assertSameFigures(MatrixFixtures.figures(results), MatrixFixtures.figures(single));
    }

    /** Submits with one CPU and 3 GB per task (the test node has 2 CPUs); returns the job id. */
    private static String submit(Path sbatch, Map<String, String> env, Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(sbatch.toString(), "--parsable", "--cpus-per-task=1",
                "--mem=3G", "--chdir=" + dir, "--output=" + dir.resolve("slurm-%A_%a.log"), "--export=ALL"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).as("sbatch: %s", out).isZero();
        return out.split(";")[0];
    }

    private static Path waitForRunningCell(Path results, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(results.resolve("cells"))) {
                try (Stream<Path> files = Files.walk(results.resolve("cells"))) {
                    List<Path> running = files.filter(f -> f.getFileName().toString().equals(ResultStore.RUNNING))
                            .map(Path::getParent).filter(d -> d.toString().contains("image-mean")).toList();
                    if (!running.isEmpty()) {
                        return running.get(0);
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no image-mean cell started within " + seconds + " s: " + squeue());
    }

    private static void waitUntilDone(String job, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (run("squeue", "-h", "-j", job).isBlank()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("job " + job + " still queued or running after " + seconds + " s: " + squeue());
    }

    private static String squeue() throws Exception {
        return run("squeue");
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private static String logs(Path dir) throws IOException {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("slurm-")).sorted().toList()) {
                out.append("--- ").append(f.getFileName()).append('\n').append(Files.readString(f));
            }
        }
        return out.toString();
    }
}
