package org.perceptuallab.testkit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.LossFactory;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.runtime.NativeHeap;
import org.perceptuallab.runtime.catalog.LabContext;
import org.perceptuallab.runtime.catalog.LossCatalog;
import org.perceptuallab.runtime.catalog.PluginFailure;
import org.perceptuallab.runtime.catalog.Registry;
import org.perceptuallab.runtime.conformance.Check;
import org.perceptuallab.runtime.conformance.ExperimentConformance;
import org.perceptuallab.runtime.conformance.LossChecks;
import org.perceptuallab.runtime.conformance.LossConformance;

/**
 * The host, as a plugin's tests see it: losses built and checked as the host builds them, the conformance
 * checks of {@code plab check}, cells of experiments on a folder, and single loss probes. Its surface speaks
 * the api, the kit, DJL, JUnit and AssertJ only; the host's runtime behind it may change without a plugin's
 * test changing.
 */
public final class TestLab {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final LossCatalog catalog;

    private TestLab(LossCatalog catalog) {
        this.catalog = catalog;
    }

    /** A lab of every loss family on the test class path ({@code META-INF/services}), as a plugin's tests use. */
    public static TestLab onClasspath() {
        return new TestLab(LossCatalog.fromClasspath());
    }

    /** A lab of these families only (a composite finds only the ids among them). */
    public static TestLab of(LossFamily... families) {
        LossCatalog catalog = new LossCatalog();
        for (LossFamily family : families) {
            catalog.families().add(family, "test lab " + PluginFailure.location(family.getClass()));
        }
        return new TestLab(catalog);
    }

    /** The host's catalogue, for the test kit's own bases. */
    LossCatalog catalog() {
        return catalog;
    }

    /** Builds losses as the host does: parameters checked against the family's spec, every call's inputs checked. */
    public LossFactory losses() {
        return catalog;
    }

    /** What a family receives when it builds a loss: this manager owns the constants; no draws, no weights folder. */
    public LossContext lossContext(NDManager constants, long seed) {
        return LabContext.of(constants, seed, catalog);
    }

    /**
     * The same with explicit random draws by name (the golden cases inject a reference's draws so) and the
     * user's weights folder (null: none).
     */
    public LossContext lossContext(NDManager constants, long seed, Map<String, NDArray> draws, Path weightsDir) {
        return new LabContext(constants, seed, draws, catalog, weightsDir);
    }

    /** The loss of {@code spec} under run seed {@code seed}, its constants in {@code constants}. */
    public Loss loss(LossSpec spec, NDManager constants, long seed) {
        return catalog.create(spec, lossContext(constants, seed));
    }

    /** The same from a spec's JSON text, {@code {"loss": "id", "params": {...}}}, read as a matrix file's. */
    public Loss loss(String specJson, NDManager constants, long seed) {
        try {
            return loss(LossSpec.parse("test lab: ", JSON.readTree(specJson)), constants, seed);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + specJson, e);
        }
    }

    /** A cell of an experiment writing to {@code outputDir}, on the caller's manager; see {@link TestCell.Builder}. */
    public TestCell.Builder cell(NDManager manager, long seed, Path outputDir) {
        return new TestCell.Builder(this, manager, seed, outputDir);
    }

    /**
     * Runs every conformance check of {@code family} that {@code plab check} runs (its own, then each example
     * configuration's), with the default tolerances; the family must be one of this lab's.
     */
    public List<CheckOutcome> checkLoss(LossFamily family, NDManager manager) {
        return run(new LossConformance(catalog, manager, LossConformance.Tolerances.DEFAULT).checks(family));
    }

    /** Runs every conformance check of {@code experiment} that {@code plab check} runs, working in {@code work}. */
    public List<CheckOutcome> checkExperiment(Experiment experiment, NDManager manager, Path work) {
        return run(new ExperimentConformance(catalog, manager, work).checks(experiment));
    }

    /** The loss contract of every family of this lab, one dynamic test per check ({@link LossContractTest}). */
    Stream<DynamicNode> lossContract(NDManager manager, double gradientTolerance, double float64Tolerance,
                                     Map<String, List<ObjectNode>> moreExamples) {
        LossConformance conformance = new LossConformance(catalog, manager,
                new LossConformance.Tolerances(gradientTolerance, float64Tolerance));
        Stream<DynamicNode> own = catalog.families().entries().stream().map(Registry.Entry::extension)
                .flatMap(family -> ConformanceTests.of(family.id(), conformance.checks(family)));
        Stream<DynamicNode> more = moreExamples.entrySet().stream().flatMap(e -> {
            LossFamily family = catalog.families().require(e.getKey()).extension();
            return ConformanceTests.of(family.id() + " (more examples)",
                    conformance.checks(new WithExamples(family, e.getValue())));
        });
        return Stream.concat(own, more);
    }

    /** A family checked in other example configurations than its own. */
    private record WithExamples(LossFamily family, List<ObjectNode> examples) implements LossFamily {
        @Override
        public String id() {
            return family.id();
        }

        @Override
        public String summary() {
            return family.summary();
        }

        @Override
        public ParamSpec params() {
            return family.params();
        }

        @Override
        public Loss create(Params params, LossContext context) {
            return family.create(params, context);
        }
    }

    /** The experiment contract of every experiment on the class path ({@link ExperimentContractTest}). */
    Stream<DynamicNode> experimentContract(NDManager manager, Path work) {
        ExperimentConformance conformance = new ExperimentConformance(catalog, manager, work);
        return ServiceLoader.load(Experiment.class).stream().map(ServiceLoader.Provider::get)
                .flatMap(experiment -> ConformanceTests.of(experiment.id(), conformance.checks(experiment)));
    }

    private static List<CheckOutcome> run(List<Check> checks) {
        return checks.stream().map(Check::run).map(r -> new CheckOutcome(r.subject(), r.check(),
                CheckOutcome.Status.valueOf(r.status().name()), r.detail())).toList();
    }

    /**
     * Largest gradient error of the summed distances relative to the largest gradient, against central
     * differences of step {@code eps} on {@code samples} elements of x drawn with {@code seed} (use float64).
     */
    public static double gradientError(Loss loss, NDArray x, NDArray y, int samples, double eps, long seed) {
        return LossChecks.gradientError(loss, x, y, samples, eps, seed);
    }

    /**
     * What goes wrong on one pair of hard inputs, each problem naming {@code what}: distances that are NaN,
     * infinite or below the loss's minimum, and non-finite gradient elements; empty when nothing does.
     */
    public static List<String> hardInputProblems(Loss loss, NDArray x, NDArray y, String what) {
        return LossChecks.hardInputProblems(loss, x, y, what);
    }

    /** Largest relative difference between each pair's distance alone and in its batch (0: independent). */
    public static double batchDependence(Loss loss, NDArray x, NDArray y) {
        return LossChecks.batchDependence(loss, x, y);
    }

    /**
     * Largest change of the gradient when a garbage collection runs between the forward and the backward
     * pass; non-zero means autograd kept memory the JVM owns and freed (use {@code Ops.times}, {@code Ops.owned}).
     */
    public static double gradientDriftUnderGarbageCollection(Loss loss, NDArray x, NDArray y) {
        return LossChecks.gradientDriftUnderGarbageCollection(loss, x, y);
    }

    /** Arrays left in the managers of x, y and {@code constants} by {@code calls} distance calls, each result closed. */
    public static int arraysLeftBehind(Loss loss, NDManager constants, NDArray x, NDArray y, int calls) {
        return LossChecks.arraysLeftBehind(loss, constants, x, y, calls);
    }

    /**
     * Applies the host's native heap policy (freed tensor memory kept for the next step), so that memory
     * measured in a test is what users see.
     *
     * @return whether the C library accepted it (glibc only)
     */
    public static boolean retainFreedMemoryAsTheHostDoes() {
        return NativeHeap.retainFreedMemory();
    }
}
