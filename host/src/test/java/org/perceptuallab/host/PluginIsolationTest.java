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
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.host.matrix.MatrixRunner;
import org.perceptuallab.host.matrix.MatrixSpec;
import org.perceptuallab.host.matrix.ResultStore;

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
        try (Lab lab = new Lab(Settings.fromEnvironment().addPluginDir(folder))) {
            assertThat(lab.warnings()).anySatisfy(w -> assertThat(w).contains(fault.jar + ".jar"));
            assertThat(lab.losses().families().find("l2")).isPresent();
            assertThat(lab.losses().families().find("boom-create").isPresent())
                    .as("the jar's working extension").isEqualTo(fault != InstallFault.PLUGIN_CLASS_THROWS
                            && fault != InstallFault.NOT_A_ZIP);
        }
        PlabRun plugins = PlabRun.of("plugins", "--plugins-dir", folder.toString());
        assertThat(plugins.exit()).as(plugins.err()).isEqualTo(Plab.FAILED);
        assertThat(plugins.out()).contains("losses-pixel").containsPattern("problem: .*" + fault.jar + "\\.jar");
        assertThat(plugins.out() + plugins.err()).doesNotContain("\tat ");
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
        try (Lab lab = new Lab(Settings.fromEnvironment().addPluginDir(folder))) {
            MatrixRunner.Outcome outcome = new MatrixRunner(lab, new PrintWriter(log)).run(MatrixSpec.read(file),
                    out.resolve("run"));
            assertThat(outcome.done()).as(log.toString()).isEqualTo(1);
            assertThat(outcome.failed()).isEqualTo(7);
        }
        JsonNode cells = ResultStore.JSON.readTree(out.resolve("run/results.json").toFile()).get("cells");
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
