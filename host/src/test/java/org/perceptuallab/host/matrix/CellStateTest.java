package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.Settings;
import org.perceptuallab.host.TestPlugins;
import org.perceptuallab.host.run.RunConfiguration;

/**
 * A training cell's state across runs, through the matrix runner and a real plugin jar: checkpoints
 * survive a failed run, the metrics streamed before the failure reach the record as curves, and the
 * rerun knows it is resuming and continues from the checkpoint.
 */
class CellStateTest {
    /** Counts to {@code steps}, checkpointing each step; a fresh start fails after step {@code failAt}. */
    private static final String SOURCE = """
            package counting;

            import java.nio.charset.StandardCharsets;
            import java.nio.file.Files;
            import org.perceptuallab.api.*;

            public final class Counting implements Experiment {
                static final Param<Integer> STEPS = Param.integer("steps", 6, 1, 100, "steps");
                static final Param<Integer> FAIL_AT = Param.integer("failAt", 0, 0, 100,
                        "fail after this step on a fresh start (0: never)");
                public String id() { return "counting"; }
                public String summary() { return "counts, checkpointing every step"; }
                public ParamSpec params() {
                    return ParamSpec.of(STEPS, FAIL_AT);
                }
                public ExperimentResult run(Params p, Loss loss, ExperimentContext c) throws Exception {
                    CellState state = c.state();
                    int from = state.find("step.txt").isPresent()
                            ? Integer.parseInt(Files.readString(state.find("step.txt").get()).trim()) : 0;
                    for (int s = from; s < p.get(STEPS); s++) {
                        state.metrics().record("square", s, (double) s * s);
                        int done = s + 1;
                        state.write("step.txt", out -> out.write(Integer.toString(done).getBytes(StandardCharsets.UTF_8)));
                        if (done == p.get(FAIL_AT) && !state.resuming()) {
                            throw new PlabException("stopped after step " + done);
                        }
                    }
                    return ExperimentResult.builder().headline("resumedFrom", Metric.count(from))
                            .metric("resuming", Metric.count(state.resuming() ? 1 : 0)).build();
                }
            }
            """;

    @TempDir
    static Path work;
    private static Path plugins;

    @BeforeAll
    static void buildPlugin() throws Exception {
        Path classes = TestPlugins.compile(work, "counting/Counting.java", SOURCE);
        plugins = work.resolve("plugins");
        TestPlugins.jar(plugins, "counting", classes, null, ">=2.0.0 & <3.0.0",
                Map.of(Experiment.class, List.of("counting.Counting")), List.of());
    }

    @Test
    void aFailedCellKeepsItsCheckpointAndCurvesAndTheRerunResumesFromThem() throws Exception {
        Path file = MatrixFixtures.write(work, "count.yaml", """
                name: count
                losses: [{loss: l2}]
                experiments:
                  - {experiment: counting, params: {steps: 6, failAt: 3}}
                """);
        Path out = work.resolve("out");
        try (Lab lab = new Lab(Settings.fromEnvironment().withoutPluginDirs().withPluginDir(MatrixFixtures.pluginsDir())
                .withPluginDir(plugins).withSeed(0))) {
            MatrixRunner.Result first = new MatrixRunner(lab, new PrintWriter(new StringWriter(), true))
                    .run(MatrixSpec.read(file), out);
            assertThat(first.failed()).isEqualTo(1);
            JsonNode failed = MatrixFixtures.results(out).get("cells").get(0);
            assertThat(failed.get("status").asText()).isEqualTo("failed");
            assertThat(failed.get("error").asText()).contains("stopped after step 3");
            assertThat(failed.at("/curves/square/values")).as("the points streamed before the failure")
                    .hasSize(3).extracting(JsonNode::asDouble).containsExactly(0.0, 1.0, 4.0);
            assertThat(out.resolve(failed.at("/curves/square/plot").asText())).isRegularFile();
            Path cellDir = new ResultStore(out).cellDirs("counting", "l2").get(0);
            assertThat(Files.readString(cellDir.resolve("state/step.txt"))).isEqualTo("3");
            assertThat(Files.readString(out.resolve("report.html"))).contains("curves so far");

            MatrixRunner.Result rerun = new MatrixRunner(lab, new PrintWriter(new StringWriter(), true))
                    .run(MatrixSpec.read(file), RunConfiguration.of(lab.settings(), out).withRetryFailed(true));
            assertThat(rerun.done()).isEqualTo(1);
            JsonNode done = MatrixFixtures.results(out).get("cells").get(0);
            assertThat(done.at("/metrics/resumedFrom").asInt()).isEqualTo(3);
            assertThat(done.at("/metrics/resuming").asInt()).isEqualTo(1);
            assertThat(done.at("/curves/square/values")).as("earlier and new points, in step order")
                    .extracting(JsonNode::asDouble).containsExactly(0.0, 1.0, 4.0, 9.0, 16.0, 25.0);
            assertThat(Files.readString(cellDir.resolve("state/step.txt"))).isEqualTo("6");
        }
    }

    @Test
    void aPluginThatRequiresANewerApiIsRefusedNamingBothVersions() throws Exception {
        Path newer = work.resolve("newer");
        TestPlugins.jar(newer, "from-the-future", work.resolve("classes"), null, ">=2.1.0",
                Map.of(Experiment.class, List.of("counting.Counting")), List.of());
        try (Lab lab = new Lab(Settings.fromEnvironment().withoutPluginDirs().withPluginDir(newer))) {
            assertThat(lab.warnings()).singleElement().asString().contains("plugin 'from-the-future' 1.0.0")
                    .contains("requires api >=2.1.0").contains("this host provides api " + org.perceptuallab.api.ApiVersion.CURRENT)
                    .contains("is not loaded");
            assertThat(lab.plugins().plugins()).isEmpty();
            assertThat(lab.experiments().find("counting")).isEmpty();
        }
    }
}
