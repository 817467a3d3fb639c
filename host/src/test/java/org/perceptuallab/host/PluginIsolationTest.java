package org.perceptuallab.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.host.cli.ExitCodes;
import org.perceptuallab.host.cli.Plab;
import org.perceptuallab.host.io.JsonFiles;
import org.perceptuallab.host.matrix.MatrixRunner;
import org.perceptuallab.host.matrix.MatrixSpec;

/**
 * No plugin can take the host down: plugin jars that fail in each way a plugin can (loading, creating an
 * extension, describing it, its plugin class, create, distance, a NaN result, an experiment's run) are
 * warnings or failed cells naming the plugin and its jar, and the host and the other plugins go on.
 */
class PluginIsolationTest {
    /** Ways a plugin fails while it is being installed; each is one jar. */
    enum InstallFault {
        CONSTRUCTOR_THROWS("throws-in-constructor", false),
        STATIC_INIT_THROWS("throws-in-static-init", false),
        PARAMS_THROW("throws-in-params", false),
        INDEX_NAMES_A_MISSING_CLASS("missing-class", true),
        PLUGIN_CLASS_THROWS("plugin-class-throws", false),
        NOT_A_ZIP("not-a-zip", false);

        final String jar;
        /** Listed by PF4J's extensions.idx instead of META-INF/services. */
        final boolean pf4jIndex;

        InstallFault(String jar, boolean pf4jIndex) {
            this.jar = jar;
            this.pf4jIndex = pf4jIndex;
        }
    }

    private static final String SOURCES = """
            package broken;
            import ai.djl.ndarray.NDArray;
            import ai.djl.ndarray.types.Shape;
            import org.perceptuallab.api.*;
            public final class Broken {
                public abstract static class Family implements LossFamily {
                    public String summary() { return "broken on purpose"; }
                    public ParamSpec params() { return ParamSpec.of(); }
                    public Loss create(Params p, LossContext c) { return loss(this, (x, y) -> x.sub(y).abs()
                            .sum(new int[] {1, 2, 3})); }
                }
                static Loss loss(LossFamily f, java.util.function.BinaryOperator<NDArray> fn) {
                    return new Loss() {
                        public LossSpec spec() { return LossSpec.of(f.id()); }
                        public NDArray distance(NDArray x, NDArray y) { return fn.apply(x, y); }
                    };
                }
                public static final class ThrowsInConstructor extends Family {
                    public ThrowsInConstructor() { throw new IllegalStateException("constructor says no"); }
                    public String id() { return "never-1"; }
                }
                public static final class ThrowsInStaticInit extends Family {
                    static final int VALUE = Integer.parseInt("not a number");
                    public String id() { return "never-2"; }
                }
                public static final class ThrowsInParams extends Family {
                    public String id() { return "never-3"; }
                    public ParamSpec params() { throw new UnsupportedOperationException("params says no"); }
                }
                public static final class FailingPlugin extends org.pf4j.Plugin {
                    public FailingPlugin() { throw new IllegalStateException("plugin class says no"); }
                }
                public static final class FailsToStop extends org.pf4j.Plugin {
                    public void stop() { throw new IllegalStateException("stop says no"); }
                }
                public static final class ThrowsInCreate extends Family {
                    public String id() { return "boom-create"; }
                    public Loss create(Params p, LossContext c) { throw new IllegalStateException("create says no"); }
                }
                public static final class ThrowsInDistance extends Family {
                    public String id() { return "boom-distance"; }
                    public Loss create(Params p, LossContext c) { return loss(this, (x, y) -> {
                            throw new ArithmeticException("distance says no"); }); }
                }
                public static final class ReturnsNaN extends Family {
                    public String id() { return "boom-nan"; }
                    public Loss create(Params p, LossContext c) { return loss(this, (x, y) -> x.sub(y).abs()
                            .sum(new int[] {1, 2, 3}).div(0f).mul(0f)); }
                }
                /** Measures the loss on two fixed batches: a quick experiment the matrix can run. */
                public static final class Probe implements Experiment {
                    public String id() { return "probe"; }
                    public String summary() { return "one distance"; }
                    public ParamSpec params() { return ParamSpec.of(); }
                    public ExperimentResult run(Params p, Loss loss, ExperimentContext c) {
                        NDArray x = c.manager().zeros(new Shape(1, 3, 16, 16));
                        double d = loss.distance(x, x.add(0.5f)).getFloat(0);
                        return ExperimentResult.builder()
                                .metric("distance", org.perceptuallab.api.Metric.distance(d,
                                        org.perceptuallab.api.Metric.Better.NEITHER)).build();
                    }
                }
                /** Ends the process from its distance, by {@link #quit}. */
                public abstract static class Quits extends Family {
                    abstract void quit() throws Exception;
                    public Loss create(Params p, LossContext c) { return loss(this, (x, y) -> {
                            try {
                                quit();
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                            return x.sub(y).abs().sum(new int[] {1, 2, 3}); }); }
                }
                public static final class SystemExit extends Quits {
                    public String id() { return "exit-system"; }
                    void quit() { System.exit(0); }
                }
                public static final class RuntimeExit extends Quits {
                    public String id() { return "exit-runtime"; }
                    void quit() { Runtime.getRuntime().exit(0); }
                }
                public static final class RuntimeHalt extends Quits {
                    public String id() { return "exit-halt"; }
                    void quit() { Runtime.getRuntime().halt(0); }
                }
                public static final class ExitReference extends Quits {
                    public String id() { return "exit-reference"; }
                    void quit() { java.util.function.IntConsumer exit = System::exit; exit.accept(0); }
                }
                public static final class HaltBoundReference extends Quits {
                    public String id() { return "exit-bound-reference"; }
                    void quit() { java.util.function.IntConsumer halt = Runtime.getRuntime()::halt; halt.accept(0); }
                }
                public static final class ExitByReflection extends Quits {
                    public String id() { return "exit-reflection"; }
                    void quit() throws Exception { System.class.getMethod("exit", int.class).invoke(null, 0); }
                }
                public static final class ThrowsInRun implements Experiment {
                    public String id() { return "boom-run"; }
                    public String summary() { return "fails"; }
                    public ParamSpec params() { return ParamSpec.of(); }
                    public ExperimentResult run(Params p, Loss loss, ExperimentContext c) {
                        throw new IndexOutOfBoundsException("run says no");
                    }
                }
            }
            """;

    @TempDir
    static Path work;
    private static Path classes;

    @BeforeAll
    static void compile() throws IOException {
        classes = TestPlugins.compile(work, "broken/Broken.java", SOURCES);
    }

    /** A plugin jar holding every compiled class, with these extensions and an optional plugin class. */
    static Path pluginJar(Path folder, String id, String pluginClass, Map<Class<?>, List<String>> services,
                          List<String> pf4jIndex) throws IOException {
        return TestPlugins.jar(folder, id, classes, pluginClass, null, services, pf4jIndex);
    }

    /** The fault's jar; with {@code withWorkingLoss}, it also holds the working loss {@code boom-create}. */
    static void installFaulty(Path folder, InstallFault fault, boolean withWorkingLoss) throws IOException {
        String faulty = switch (fault) {
            case CONSTRUCTOR_THROWS -> "broken.Broken$ThrowsInConstructor";
            case STATIC_INIT_THROWS -> "broken.Broken$ThrowsInStaticInit";
            case PARAMS_THROW -> "broken.Broken$ThrowsInParams";
            case INDEX_NAMES_A_MISSING_CLASS -> "broken.Broken$NoSuchClass";
            case PLUGIN_CLASS_THROWS, NOT_A_ZIP -> null;
        };
        if (fault == InstallFault.NOT_A_ZIP) {
            Files.writeString(folder.resolve(fault.jar + ".jar"), "not a zip file");
            return;
        }
        List<String> losses = new ArrayList<>();
        if (faulty != null) {
            losses.add(faulty);
        }
        if (withWorkingLoss) {
            losses.add("broken.Broken$ThrowsInCreate");
        }
        pluginJar(folder, fault.jar, fault == InstallFault.PLUGIN_CLASS_THROWS ? "broken.Broken$FailingPlugin" : null,
                fault.pf4jIndex || losses.isEmpty() ? Map.of() : Map.of(LossFamily.class, losses),
                fault.pf4jIndex ? losses : List.of());
    }

    @ParameterizedTest
    @EnumSource(InstallFault.class)
    void aPluginFailingToInstallIsAWarningNamingItsJarAndEverythingElseLoads(InstallFault fault,
                                                                            @TempDir Path folder) throws Exception {
        installFaulty(folder, fault, true);
        // The distribution's folder (losses-pixel among its plugins) and the folder of the faulty jar.
        try (Lab lab = new Lab(Settings.fromEnvironment().withPluginDir(folder))) {
            assertThat(lab.warnings()).anySatisfy(w -> assertThat(w).contains(fault.jar + ".jar"));
            assertThat(lab.losses().families().find("l2")).isPresent();
            assertThat(lab.losses().families().find("boom-create").isPresent())
                    .as("the jar's working extension").isEqualTo(fault != InstallFault.PLUGIN_CLASS_THROWS
                            && fault != InstallFault.NOT_A_ZIP);
        }
        PlabRun plugins = PlabRun.of("plugins", "--plugins-dir", folder.toString());
        assertThat(plugins.exit()).as(plugins.err()).isEqualTo(ExitCodes.FAILED);
        assertThat(plugins.out()).contains("losses-pixel").containsPattern("problem: .*" + fault.jar + "\\.jar");
        assertThat(plugins.out() + plugins.err()).doesNotContain("\tat ");
    }

    /** The jar "exiting.jar" of plugin "exiting", with the probe experiment and every loss that ends the process. */
    static Path exitingPlugin(Path folder) throws IOException {
        return pluginJar(folder, "exiting", null, Map.of(LossFamily.class, List.of("broken.Broken$SystemExit",
                "broken.Broken$RuntimeExit", "broken.Broken$RuntimeHalt", "broken.Broken$ExitReference",
                "broken.Broken$HaltBoundReference", "broken.Broken$ExitByReflection"), Experiment.class,
                List.of("broken.Broken$Probe")), List.of());
    }

    @ParameterizedTest
    @ValueSource(strings = {"exit-system", "exit-runtime", "exit-halt", "exit-reference", "exit-bound-reference"})
    void aPluginEndingTheProcessFailsTheDistanceCommandNamingThePlugin(String loss, @TempDir Path folder)
            throws Exception {
        exitingPlugin(folder);
        // In this very process: were the call not guarded, the test run would end here.
        PlabRun run = PlabRun.of("distance", "--loss", loss, CliFaultsTest.PHOTO.toString(),
                CliFaultsTest.PHOTO.toString(), "--plugins-dir", folder.toString());
        assertThat(run.exit()).as(run.err()).isEqualTo(ExitCodes.FAILED);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("loss '" + loss + "'").contains("plugin exiting 1.0.0")
                .contains("exiting.jar").containsPattern("(System\\.exit|Runtime\\.exit|Runtime\\.halt)\\(0\\) called by"
                        + " broken\\.Broken").contains("a plugin may not end plab's process").doesNotContain("\tat ");
    }

    @Test
    void aPluginEndingTheProcessFailsItsMatrixCellAndTheOtherCellsFinish(@TempDir Path folder, @TempDir Path out)
            throws Exception {
        exitingPlugin(folder);
        Path file = Files.writeString(out.resolve("m.yaml"), """
                experiments: [{experiment: probe}]
                losses: [exit-system, l2, exit-halt]
                """);
        PlabRun run = PlabRun.of("matrix", file.toString(), "--out", out.resolve("run").toString(), "--jobs", "1",
                "--plugins-dir", folder.toString());
        assertThat(run.exit()).as("cells failed: %s", run.err()).isEqualTo(ExitCodes.FAILED);
        Map<String, JsonNode> byLoss = cellsByLoss(out.resolve("run"));
        assertThat(byLoss.get("l2").get("status").asText()).isEqualTo("done");
        for (String loss : List.of("exit-system", "exit-halt")) {
            assertThat(byLoss.get(loss).get("status").asText()).as(loss).isEqualTo("failed");
            assertThat(byLoss.get(loss).get("error").asText()).as(loss).contains("plugin exiting 1.0.0")
                    .contains("exiting.jar").contains("(0) called by").contains("may not end plab's process");
        }
    }

    @Test
    void aWorkerEndedByAPluginIsAFailedCellNamingThePluginAndTheExitCodeAndTheOtherCellsFinish(
            @TempDir Path folder, @TempDir Path out) throws Exception {
        exitingPlugin(folder);
        // Reflection is a route the rewrite does not see: the worker process ends, and says why first.
        Path file = Files.writeString(out.resolve("m.yaml"), """
                experiments: [{experiment: probe}]
                losses: [exit-reflection, l2]
                """);
        PlabRun run = PlabRun.of("matrix", file.toString(), "--out", out.resolve("run").toString(), "--jobs", "2",
                "--plugins-dir", folder.toString());
        assertThat(run.exit()).as("cells failed: %s", run.err()).isEqualTo(ExitCodes.FAILED);
        Map<String, JsonNode> byLoss = cellsByLoss(out.resolve("run"));
        assertThat(byLoss.get("l2").get("status").asText()).isEqualTo("done");
        assertThat(byLoss.get("exit-reflection").get("status").asText()).isEqualTo("failed");
        assertThat(byLoss.get("exit-reflection").get("error").asText()).contains("cell probe x exit-reflection")
                .contains("exited with code 0").contains("plugin exiting 1.0.0").contains("exiting.jar")
                .contains("broken.Broken$ExitByReflection.quit");
    }

    @Test
    void aPluginEndingTheProcessByReflectionEndsPlabWithExit1NamingThePluginAndNoWarning(@TempDir Path folder)
            throws Exception {
        exitingPlugin(folder);
        // Plab.main's last line of defence, in a process of its own: the one the plugin ends.
        Process plab = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "-Dplab.pluginsDir=" + System.getProperty("plab.pluginsDir"),
                Plab.class.getName(), "distance", "--loss", "exit-reflection", CliFaultsTest.PHOTO.toString(),
                CliFaultsTest.PHOTO.toString(), "--plugins-dir", folder.toString()).redirectErrorStream(true).start();
        String output = new String(plab.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(plab.waitFor()).as(output).isEqualTo(ExitCodes.FAILED);
        assertThat(output).contains("plab: plugin exiting 1.0.0").contains("exiting.jar")
                .contains("broken.Broken$ExitByReflection.quit").contains("may not end plab's process")
                .doesNotContainIgnoringCase("warning");
    }

    private static Map<String, JsonNode> cellsByLoss(Path run) throws IOException {
        Map<String, JsonNode> byLoss = new HashMap<>();
        JsonFiles.JSON.readTree(run.resolve("results.json").toFile()).get("cells")
                .forEach(c -> byLoss.put(c.get("loss").asText(), c));
        return byLoss;
    }

    @Test
    void aMissingPluginFolderIsAWarningNamingIt(@TempDir Path tmp) {
        Path missing = tmp.resolve("no-such-folder");
        try (PluginHost host = new PluginHost(List.of(missing))) {
            assertThat(host.warnings()).anySatisfy(w -> assertThat(w).contains(missing.toString())
                    .contains("does not exist").contains("PLAB_PLUGINS_DIR"));
        }
    }

    @Test
    void aPluginFailingToStopIsAWarningAndTheCommandSucceeds(@TempDir Path folder) throws Exception {
        pluginJar(folder, "fails-to-stop", "broken.Broken$FailsToStop", Map.of(LossFamily.class,
                List.of("broken.Broken$ThrowsInCreate")), List.of());
        PlabRun losses = PlabRun.of("losses", "--plugins-dir", folder.toString());
        assertThat(losses.exit()).as(losses.err()).isZero();
        assertThat(losses.out()).contains("boom-create");
        assertThat(losses.err()).containsPattern("warning: .*fails-to-stop\\.jar.*failed to stop.*stop says no");
    }

    @Test
    void theMatrixGoesOnPastAPluginThatFailsInEachWay(@TempDir Path folder, @TempDir Path out) throws Exception {
        for (InstallFault fault : InstallFault.values()) {
            installFaulty(folder, fault, false);
        }
        pluginJar(folder, "boom", null, Map.of(LossFamily.class, List.of("broken.Broken$ThrowsInCreate",
                "broken.Broken$ThrowsInDistance",
                "broken.Broken$ReturnsNaN"), Experiment.class, List.of("broken.Broken$Probe",
                "broken.Broken$ThrowsInRun")), List.of());
        Path file = out.resolve("m.yaml");
        Files.writeString(file, """
                experiments: [{experiment: probe}, {experiment: boom-run}]
                losses: [l2, boom-create, boom-distance, boom-nan]
                """);
        StringWriter log = new StringWriter();
        try (Lab lab = new Lab(Settings.fromEnvironment().withPluginDir(folder))) {
            MatrixRunner.Result outcome = new MatrixRunner(lab, new PrintWriter(log)).run(MatrixSpec.read(file),
                    out.resolve("run"));
            assertThat(outcome.done()).as(log.toString()).isEqualTo(1);
            assertThat(outcome.failed()).isEqualTo(7);
        }
        JsonNode cells = JsonFiles.JSON.readTree(out.resolve("run/results.json").toFile()).get("cells");
        Map<String, JsonNode> byCell = new HashMap<>();
        cells.forEach(c -> byCell.put(c.get("experiment").asText() + " x " + c.get("loss").asText(), c));
        assertThat(byCell.get("probe x l2").get("metrics").get("distance").asDouble()).isEqualTo(0.25);
        Map<String, String> expected = Map.of(
                "probe x boom-create", "create says no",
                "probe x boom-distance", "distance says no",
                "probe x boom-nan", "returned NaN or infinity for pair(s) [0]",
                "boom-run x l2", "run says no");
        expected.forEach((cell, reason) -> {
            JsonNode c = byCell.get(cell);
            assertThat(c.get("status").asText()).as(cell).isEqualTo("failed");
            assertThat(c.get("error").asText()).as(cell).contains(reason).contains("plugin ").contains(".jar");
        });
        assertThat(byCell.get("boom-run x l2").get("error").asText()).contains("boom.jar");
        assertThat(byCell.get("probe x boom-distance").get("error").asText()).contains("boom.jar");
    }
}
