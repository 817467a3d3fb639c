package org.perceptuallab.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.testkit.Fixtures;

/**
 * {@code plab check} passes on every plugin this project ships and on both examples, and fails, saying why
 * in the check that catches it, on plugins broken on purpose: one jar of eight broken loss families (checked
 * once, each family on its own), a jar that bundles DJL and one that requires a newer api.
 */
class PluginCheckTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HARD_INPUTS = "finite values at or above the minimum, finite gradients, on hard inputs";

    private static final String BROKEN = """
            package broken;
            import ai.djl.ndarray.NDArray;
            import org.perceptuallab.api.*;
            public final class Broken {
                /** A mean squared difference with one fault, as each family below makes it. */
                public abstract static class Family implements LossFamily {
                    public String summary() { return "broken on purpose"; }
                    public ParamSpec params() { return ParamSpec.of(); }
                    public Loss create(Params p, LossContext c) {
                        return new Loss() {
                            public LossSpec spec() { return LossSpec.of(id()); }
                            public NDArray distance(NDArray x, NDArray y) { return compute(x, y, c); }
                        };
                    }
                    abstract NDArray compute(NDArray x, NDArray y, LossContext c);
                    static NDArray mse(NDArray x, NDArray y) {
                        return x.sub(y).square().reshape(x.getShape().get(0), -1).mean(new int[] {1});
                    }
                }
                public static final class WrongShape extends Family {
                    public String id() { return "wrong-shape"; }
                    NDArray compute(NDArray x, NDArray y, LossContext c) { return mse(x, y).expandDims(1); }
                }
                public static final class NanGradient extends Family {
                    public String id() { return "nan-gradient"; }
                    NDArray compute(NDArray x, NDArray y, LossContext c) { return mse(x, y).sqrt(); }
                }
                public static final class Cancelling extends Family {
                    public String id() { return "cancelling"; }
                    // |x|^2 + |y|^2 - 2 x.y: exact in real numbers, below zero in float32 under a large offset.
                    NDArray compute(NDArray x, NDArray y, LossContext c) {
                        NDArray cross = x.mul(y).reshape(x.getShape().get(0), -1).mean(new int[] {1});
                        return mse(x, x.zerosLike()).add(mse(y, y.zerosLike())).sub(cross.add(cross));
                    }
                }
                public static final class WrongGradient extends Family {
                    public String id() { return "wrong-gradient"; }
                    // The weight depends on x but is detached: autograd misses its share of the gradient.
                    NDArray compute(NDArray x, NDArray y, LossContext c) {
                        return mse(x, y).mul(x.stopGradient().square().reshape(x.getShape().get(0), -1)
                                .mean(new int[] {1}).add(1));
                    }
                }
                public static final class BatchDependent extends Family {
                    public String id() { return "batch-dependent"; }
                    NDArray compute(NDArray x, NDArray y, LossContext c) { return mse(x, y).mul(x.square().mean()); }
                }
                public static final class Unseeded extends Family {
                    public String id() { return "unseeded"; }
                    public ParamSpec params() { return ParamSpec.of(Param.SEED); }
                    public Loss create(Params p, LossContext c) {
                        double draw = new java.util.Random().nextDouble();
                        Family self = this;
                        return new Loss() {
                            public LossSpec spec() { return LossSpec.of(self.id()); }
                            public NDArray distance(NDArray x, NDArray y) {
                                NDArray d = mse(x, y);
                                return d.mul(d.zerosLike().add(1 + draw)); // no Java number in autograd's way
                            }
                        };
                    }
                    NDArray compute(NDArray x, NDArray y, LossContext c) { throw new IllegalStateException(); }
                }
                public static final class Leaky extends Family {
                    public String id() { return "leaky"; }
                    // Keeps a copy of every target in the loss's constants: one more array per call.
                    NDArray compute(NDArray x, NDArray y, LossContext c) {
                        y.duplicate().attach(c.manager());
                        return mse(x, y);
                    }
                }
                public static final class BadParams extends Family {
                    public String id() { return "bad-params"; }
                    public ParamSpec params() { return ParamSpec.of(Param.real("Eps", 0.5, 0, 1, "smoothing")); }
                    NDArray compute(NDArray x, NDArray y, LossContext c) { return mse(x, y); }
                }
                public static final class Good extends Family {
                    public String id() { return "good-mse"; }
                    NDArray compute(NDArray x, NDArray y, LossContext c) { return mse(x, y); }
                }
            }
            """;
    private static final List<String> BROKEN_FAMILIES = List.of("WrongShape", "NanGradient", "Cancelling", "WrongGradient",
            "BatchDependent", "Unseeded", "Leaky", "BadParams");

    @TempDir
    static Path work;
    private static Path classes;
    /** The --json report of the jar of broken families. */
    private static JsonNode broken;

    @BeforeAll
    static void checkTheBrokenFamilies() throws Exception {
        classes = TestPlugins.compile(work, "broken/Broken.java", BROKEN);
        Path jar = TestPlugins.jar(work.resolve("broken"), "broken-losses", classes, null, ">=2.0.0 & <3.0.0",
                Map.of(LossFamily.class, BROKEN_FAMILIES.stream().map(c -> "broken.Broken$" + c).toList()), List.of());
        PlabRun run = PlabRun.of("check", jar.toString(), "--json");
        assertThat(run.exit()).as(run.err()).isEqualTo(1);
        broken = JSON.readTree(run.out());
    }

    static Stream<Path> shippedPlugins() throws IOException {
        Path folder = Fixtures.root().resolve("target/plugins");
        try (Stream<Path> jars = Files.list(folder)) {
            List<Path> all = jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
            assertThat(all).as("the distribution's plugins in " + folder + " (build them first)").isNotEmpty();
            return all.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("shippedPlugins")
    void everyShippedPluginPasses(Path jar) {
        assertPasses(jar);
    }

    @Test
    void bothExamplesPass() throws IOException {
        for (String example : List.of("loss-plugin", "experiment-plugin")) {
            Path target = Fixtures.shipped("examples/" + example + "/target");
            try (Stream<Path> jars = Files.list(target)) {
                Path jar = jars.filter(p -> p.getFileName().toString().matches(".*-plugin-[0-9.]+\\.jar")).findFirst()
                        .orElseThrow(() -> new AssertionError("no plugin jar in " + target + "; build the examples"));
                assertPasses(jar);
            }
        }
    }

    @Test
    void theReportHasOneLinePerCheckAndCountsThem() throws IOException {
        Path jar = TestPlugins.jar(work.resolve("good"), "good", classes, null, ">=2.0.0 & <3.0.0",
                Map.of(LossFamily.class, List.of("broken.Broken$Good")), List.of());
        PlabRun run = PlabRun.of("check", jar.toString());
        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("jar good.jar\n", "  passed          descriptor names id, version, provider: good 1.0.0 by Test Lab",
                "loss 'good-mse'\n", "loss 'good-mse' example {}\n", "  passed          gradient matches central finite differences (float64): largest error",
                "  not applicable  feature map exact, where offered: it offers no feature map",
                "  passed          time of one forward+backward: ")
                .containsPattern("\\d+ passed, 0 failed, \\d+ not applicable: plugin good 1.0.0 keeps the plugin contract");
    }

    @Test
    void aWrongOutputShapeFails() {
        assertFailed("loss 'wrong-shape' example {}", "one finite distance per pair, shape (N), float32 in float32 out",
                "it returned shape (3, 1) for a batch of 3");
    }

    @Test
    void aSquareRootOfADistanceFailsWithANanGradientAtEquality() {
        assertFailed("loss 'nan-gradient' example {}", HARD_INPUTS, "9216 of 9216 gradient elements NaN or infinite at x = y");
    }

    @Test
    void aDistanceThatCancelsFailsUnderALargeOffset() {
        assertFailed("loss 'cancelling' example {}", HARD_INPUTS, "away from float64 (relative) at a large common offset");
    }

    @Test
    void aWrongGradientFails() {
        assertFailed("loss 'wrong-gradient' example {}", "gradient matches central finite differences (float64)",
                "largest error relative to the largest gradient");
    }

    @Test
    void aLossThatDependsOnTheRestOfTheBatchFails() {
        assertFailed("loss 'batch-dependent' example {}", "each pair independent of the rest of the batch",
                "largest relative difference, alone vs in the batch");
    }

    @Test
    void aLossNotDeterministicUnderItsSeedFails() {
        assertFailed("loss 'unseeded' example {}", "the same values from two losses of one seed", "never from an unseeded generator");
    }

    @Test
    void aLossThatLeaksArraysFails() {
        assertFailed("loss 'leaky' example {}", "no arrays left behind", "3 array(s) left in the inputs' and the loss's managers");
    }

    @Test
    void aBadParameterSpecFails() {
        assertFailed("loss 'bad-params'", "parameter spec is valid",
                "parameter 'Eps': a name must be camelCase");
    }

    @Test
    void eachBrokenFamilyFailsOnlyWhereItIsBroken() {
        // The wrong shape fails every check that computes a distance; the others fail one check each, so
        // the failures above are the faults planted, not a harness that fails everything.
        for (JsonNode check : broken.get("checks")) {
            String subject = check.get("subject").asText();
            if (check.get("status").asText().equals("failed") && !subject.contains("wrong-shape")) {
                assertThat(subject + ": " + check.get("check").asText()).isIn(
                        "loss 'nan-gradient' example {}: " + HARD_INPUTS,
                        "loss 'cancelling' example {}: " + HARD_INPUTS,
                        "loss 'wrong-gradient' example {}: gradient matches central finite differences (float64)",
                        "loss 'batch-dependent' example {}: each pair independent of the rest of the batch",
                        "loss 'batch-dependent' example {}: zero between an image and itself",
                        "loss 'batch-dependent' example {}: distance matrices equal the paired distances",
                        "loss 'unseeded' example {}: the same values from two losses of one seed",
                        "loss 'unseeded' example {}: different draws under another seed, where random",
                        "loss 'leaky' example {}: no arrays left behind",
                        "loss 'bad-params': parameter spec is valid");
            }
        }
    }

    @Test
    void aJarThatBundlesDjlFails() throws IOException {
        Path bundling = Files.createDirectories(work.resolve("bundling-classes"));
        copyTree(classes, bundling);
        try (InputStream ndarray = ai.djl.ndarray.NDArray.class.getResourceAsStream("NDArray.class")) {
            Path target = Files.createDirectories(bundling.resolve("ai/djl/ndarray")).resolve("NDArray.class");
            Files.copy(ndarray, target);
        }
        Path jar = TestPlugins.jar(work.resolve("bundles"), "bundles-djl", bundling, null, ">=2.0.0 & <3.0.0",
                Map.of(LossFamily.class, List.of("broken.Broken$Good")), List.of());
        JsonNode report = json(PlabRun.of("check", jar.toString(), "--json"), 1);
        JsonNode bundles = result(report, "jar bundles-djl.jar", "bundles no classes of DJL, PF4J, Jackson or the api");
        assertThat(bundles.get("status").asText()).isEqualTo("failed");
        assertThat(bundles.get("detail").asText()).contains("1 class(es) of DJL (e.g. ai/djl/ndarray/NDArray.class)")
                .contains("<scope>provided</scope>");
    }

    @Test
    void aJarRequiringANewerApiFails() throws IOException {
        Path jar = TestPlugins.jar(work.resolve("newer"), "from-the-future", classes, null, ">=3.0.0",
                Map.of(LossFamily.class, List.of("broken.Broken$Good")), List.of());
        JsonNode report = json(PlabRun.of("check", jar.toString(), "--json"), 1);
        String subject = "jar from-the-future.jar";
        assertThat(result(report, subject, "states an api range this host meets (api "
                + org.perceptuallab.api.ApiVersion.CURRENT + ")").get("detail").asText())
                .contains("it requires api >=3.0.0; this host provides " + org.perceptuallab.api.ApiVersion.CURRENT
                        + ", so the host would refuse it");
        assertThat(result(report, subject, "loads and starts as the host loads it").get("detail").asText())
                .contains("requires api >=3.0.0").contains("it is not loaded");
    }

    @Test
    void aMissingJarIsBadInput() {
        PlabRun run = PlabRun.of("check", work.resolve("nothing.jar").toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("no plugin jar at").contains("nothing.jar");
    }

    private static void assertFailed(String subject, String check, String detail) {
        JsonNode r = result(broken, subject, check);
        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("failed");
        assertThat(r.get("detail").asText()).contains(detail);
    }

    private static void assertPasses(Path jar) {
        PlabRun run = PlabRun.of("check", jar.toString());
        assertThat(run.exit()).as(jar + ":\n" + run.out() + run.err()).isZero();
        assertThat(run.out()).doesNotContain("FAILED").contains(" 0 failed, ").contains("keeps the plugin contract");
    }

    private static JsonNode json(PlabRun run, int exit) throws IOException {
        assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(exit);
        return JSON.readTree(run.out());
    }

    private static JsonNode result(JsonNode report, String subject, String check) {
        for (JsonNode r : report.get("checks")) {
            if (r.get("subject").asText().equals(subject) && r.get("check").asText().equals(check)) {
                return r;
            }
        }
        throw new AssertionError("no check '" + check + "' of " + subject + " in " + report.toPrettyString());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                Files.createDirectories(target.getParent());
                Files.copy(f, target);
            }
        }
    }
}
