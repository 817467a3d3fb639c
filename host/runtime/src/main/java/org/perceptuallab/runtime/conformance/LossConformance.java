package org.perceptuallab.runtime.conformance;

import static org.perceptuallab.runtime.conformance.Check.number;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.perceptuallab.api.FeatureMap;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.ParamType;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.Progress;
import org.perceptuallab.kit.DistanceMatrix;
import org.perceptuallab.kit.OneDraw;
import org.perceptuallab.runtime.catalog.LabContext;
import org.perceptuallab.runtime.catalog.LossCatalog;
import org.perceptuallab.runtime.conformance.Check.Outcome;

/**
 * The loss contract as checks, the one definition that {@code plab check} and the test kit's
 * {@code LossContractTest} both run. Per family: its parameter spec, and that its defaults build a loss.
 * Per {@linkplain LossFamily#examples() example configuration}, on seeded {@link #BATCH} x 3 x {@link #SIDE}
 * x {@link #SIDE} batches: output shape (N) and type, zero at x = y, per-pair independence, gradients
 * against central finite differences (float64) and finite at x = y, the same values under one seed and
 * different draws under another (random families), no arrays left behind, no gradient drift after a
 * garbage collection, bad input rejected naming the loss, the feature map, symmetry and different sizes
 * where offered, distance matrices equal to the paired distances, and the time of one forward+backward.
 *
 * <p>Losses are built through the given catalogue, so they are checked as the host runs them (inputs and
 * outputs checked on every call, temporaries released).
 */
public final class LossConformance {
    /** Pairs per batch. */
    public static final int BATCH = 3;
    /** Image side of the checks. */
    public static final int SIDE = 32;
    /** The timed workload: one pair of 3 x 64 x 64 float32, the unit of {@code plab bench}. */
    static final int TIMED_BATCH = 1;
    static final int TIMED_SIDE = 64;
    /**
     * Largest relative difference of float32 from float64 distances under a large common offset: rounding
     * moves a well-formed distance by far less, a cancellation (|a|^2 + |b|^2 - 2 a.b) by more than itself.
     */
    static final double OFFSET_AGREEMENT = 0.5;
    /** Largest float32-against-float64 gradient difference, relative to the largest gradient. */
    static final double FLOAT32_GRADIENT = 1e-2;
    /** The run seed losses are built with; the random-draws check compares it with the next. */
    private static final long SEED = 11;
    /** The value by which a weights parameter names the published file in the weights folder (the kit's WeightsLocator). */
    private static final String PUBLISHED_WEIGHTS = "pretrained";

    /**
     * How close the float arithmetic must be.
     *
     * @param gradient largest gradient error relative to the largest gradient, float64 central differences
     * @param float64 largest relative difference of the float64 comparisons: a pair alone versus in its
     *                batch, the squared feature distance versus the loss, d(y, x) versus d(x, y), a distance
     *                matrix versus the paired distances, two losses of one seed
     */
    public record Tolerances(double gradient, double float64) {
        public static final Tolerances DEFAULT = new Tolerances(1e-4, 1e-6);
    }

    private final LossCatalog catalog;
    private final NDManager manager;
    private final Tolerances tolerances;

    /**
     * @param catalog builds the losses (it holds the families checked, and any their composites name)
     * @param manager parent of every array the checks make
     */
    public LossConformance(LossCatalog catalog, NDManager manager, Tolerances tolerances) {
        this.catalog = catalog;
        this.manager = manager;
        this.tolerances = tolerances;
    }

    /** Subject of a family's own checks: {@code loss 'ID'}. */
    public static String subject(LossFamily family) {
        return "loss '" + family.id() + "'";
    }

    /** Every check of one family: its own, then each example's in order. */
    public List<Check> checks(LossFamily family) {
        String subject = subject(family);
        List<ObjectNode> examples = family.examples();
        List<Check> checks = new ArrayList<>();
        checks.add(new Check(subject, "parameter spec is valid", () -> {
            List<String> problems = ParamSpecs.problems(subject, family.params(), examples);
            return Outcome.of(problems.isEmpty(), problems.isEmpty()
                    ? family.params().params().size() + " parameter(s), " + examples.size() + " example(s)"
                    : String.join("; ", problems));
        }));
        if (examples.isEmpty()) {
            // A family that cannot be built without files the user supplies (published weights) declares none.
            checks.add(new Check(subject, "declares example configurations", () -> Outcome.notApplicable(
                    "it declares none: it needs files that cannot ship, so only its own tests cover it")));
            return checks;
        }
        checks.add(new Check(subject, "defaults build a loss", () -> {
            List<String> required = family.params().params().stream()
                    .filter(p -> p.defaultValue() == null && (p.type() == ParamType.LOSS || p.type() == ParamType.TERMS))
                    .map(p -> "'" + p.name() + "'").toList();
            if (!required.isEmpty()) {
                return Outcome.notApplicable("parameter(s) " + String.join(", ", required) + " have no default by"
                        + " design; the examples build it");
            }
            List<String> published = family.params().params().stream()
                    .filter(p -> p.defaultValue() != null && PUBLISHED_WEIGHTS.equals(p.defaultValue().asText()))
                    .map(p -> "'" + p.name() + "'").toList();
            if (!published.isEmpty()) {
                return Outcome.notApplicable("parameter(s) " + String.join(", ", published) + " default to published"
                        + " weights, which cannot ship; the examples build it");
            }
            try (NDManager scope = manager.newSubManager();
                 Loss loss = catalog.create(LossSpec.of(family.id()), LabContext.of(scope, SEED, catalog))) {
                return Outcome.passed(loss.spec().toString());
            }
        }));
        for (ObjectNode params : examples) {
            LossSpec spec = new LossSpec(family.id(), params.deepCopy());
            Optional<String> redraw = REDRAW_PARAMETERS.stream()
                    .filter(name -> family.params().get(name).filter(d -> d.type() == ParamType.BOOL).isPresent())
                    .findFirst();
            checks.addAll(exampleChecks(spec, family.params().get("seed").isPresent(), redraw));
        }
        return checks;
    }

    /**
     * @param redraw the family's boolean parameter that draws its constants anew at every call, if any
     */
    private List<Check> exampleChecks(LossSpec spec, boolean seedParameter, Optional<String> redraw) {
        String subject = "loss '" + spec.id() + "' example " + spec.params();
        Tolerances tol = tolerances;
        return List.of(
                check(subject, spec, "one finite distance per pair, shape (N), float32 in float32 out", (loss, scope) -> {
                    NDArray[] xy = pair(scope, 1, DataType.FLOAT32, SIDE);
                    NDArray d = loss.distance(xy[0], xy[1]);
                    if (!d.getShape().equals(new Shape(BATCH)) || d.getDataType() != DataType.FLOAT32) {
                        return Outcome.failed("returned " + d.getDataType() + " " + d.getShape() + " for a batch of "
                                + BATCH + " float32 pairs; expected float32 (" + BATCH + ")");
                    }
                    return Outcome.passed("distances " + Arrays.toString(rounded(values(d))));
                }),
                check(subject, spec, "zero between an image and itself", (loss, scope) -> {
                    NDArray x = pair(scope, 20, DataType.FLOAT32, SIDE)[0];
                    double worst = maxAbs(values(loss.distance(x, x.duplicate())));
                    return Outcome.of(worst < 1e-6, "largest |d(x, x)| " + number(worst) + " (limit 1e-6)");
                }),
                check(subject, spec, "each pair independent of the rest of the batch", (loss, scope) -> {
                    NDArray[] xy = pair(scope, 6, DataType.FLOAT64, SIDE);
                    double dependence = LossChecks.batchDependence(loss, xy[0], xy[1]);
                    return Outcome.of(dependence < tol.float64(), "largest relative difference, alone vs in the"
                            + " batch, " + number(dependence) + " (limit " + number(tol.float64()) + ")");
                }),
                check(subject, spec, "gradient matches central finite differences (float64)", (loss, scope) -> {
                    NDArray[] xy = pair(scope, 3, DataType.FLOAT64, SIDE);
                    double error = LossChecks.gradientError(loss, xy[0], xy[1], 6, 1e-6, 5);
                    String why = Double.isNaN(error) ? ": the gradient holds NaN or infinity"
                            : Double.isInfinite(error) ? ": the gradient is zero everywhere (detached from x?)" : "";
                    return Outcome.of(error < tol.gradient(), "largest error relative to the largest gradient "
                            + number(error) + " (limit " + number(tol.gradient()) + ")" + why);
                }),
                new Check(subject, "the same values from two losses of one seed", () -> {
                    double difference = relativeDifference(distancesUnder(spec, SEED), distancesUnder(spec, SEED));
                    return Outcome.of(difference <= tol.float64(), "largest relative difference "
                            + number(difference) + " (limit " + number(tol.float64()) + ")"
                            + (difference <= tol.float64() ? "" : "; draw only from the loss's seed (kit Draws,"
                            + " LossContext.seed()), never from an unseeded generator"));
                }),
                new Check(subject, "different draws under another seed, where random", () -> {
                    double difference = seedParameter
                            ? relativeDifference(distancesUnder(withSeed(spec, SEED), SEED),
                            distancesUnder(withSeed(spec, SEED + 1), SEED))
                            : relativeDifference(distancesUnder(spec, SEED), distancesUnder(spec, SEED + 1));
                    String seeds = (seedParameter ? "parameter seed " : "run seeds ") + SEED + " and " + (SEED + 1);
                    return difference > tol.float64()
                            ? Outcome.passed("relative difference " + number(difference) + " between " + seeds)
                            : Outcome.notApplicable("the same distances under " + seeds + ": this configuration"
                            + " draws nothing");
                }),
                new Check(subject, "no arrays left behind", () -> {
                    try (NDManager constants = manager.newSubManager(); NDManager inputs = manager.newSubManager();
                         Loss loss = catalog.create(spec, LabContext.of(constants, SEED, catalog))) {
                        NDArray[] xy = pair(inputs, 8, DataType.FLOAT32, SIDE);
                        loss.distance(xy[0], xy[1]).close();
                        int left = LossChecks.arraysLeftBehind(loss, constants, xy[0], xy[1], 3);
                        return Outcome.of(left == 0, left + " array(s) left in the inputs' and the loss's managers"
                                + " by 3 calls" + (left == 0 ? "" : "; keep per-call arrays out of the"
                                + " LossContext manager (it holds constants only)"));
                    }
                }),
                check(subject, spec, "the same gradient twice, and after a garbage collection before backward", (loss, scope) -> {
                    NDArray[] xy = pair(scope, 10, DataType.FLOAT32, SIDE);
                    LossChecks.Repeatability r = LossChecks.gradientRepeatability(loss, xy[0], xy[1]);
                    if (r.runToRun() != 0) {
                        return Outcome.failed("two plain runs differ by " + number(r.runToRun()) + ": the backend's own"
                                + " run-to-run difference, not a Java buffer (a native kernel reading uninitialised"
                                + " memory, or a non-deterministic reduction); find the op with the conformance"
                                + " convolution test and route around it (docs/PLUGINS.md, numerics)");
                    }
                    return Outcome.of(r.underCollection() == 0, "bit-identical in two runs; largest change after a"
                            + " collection " + number(r.underCollection()) + (r.underCollection() == 0 ? ""
                            : ": a Java buffer, since plain runs agree: a Java number or Java array reached autograd;"
                            + " use Ops.times, Ops.pow, Ops.owned (docs/PLUGINS.md, memory rules)"));
                }),
                check(subject, spec, "float32 gradient agrees with float64", (loss, scope) -> {
                    NDArray[] xy = pair(scope, 28, DataType.FLOAT64, SIDE);
                    double[] wide = LossChecks.gradient(loss, xy[0], xy[1], ones(BATCH));
                    double[] single = LossChecks.gradient(loss, xy[0].toType(DataType.FLOAT32, false),
                            xy[1].toType(DataType.FLOAT32, false), ones(BATCH));
                    double error = LossChecks.relativeToLargest(single, wide);
                    return Outcome.of(error <= FLOAT32_GRADIENT, "largest difference relative to the largest"
                            + " gradient " + number(error) + " (limit " + number(FLOAT32_GRADIENT) + ")"
                            + (error <= FLOAT32_GRADIENT ? "" : "; a float32 kernel of the engine computes a"
                            + " gradient wrongly on this machine, or the loss loses precision in float32"));
                }),
                check(subject, spec, "finite values at or above the minimum, finite gradients, on hard inputs", (loss, scope) -> {
                    List<String> problems = new ArrayList<>();
                    for (HardInput input : HardInput.values()) {
                        NDArray[] xy = input.pair(scope);
                        problems.addAll(LossChecks.hardInputProblems(loss, xy[0], xy[1], input.description));
                        if (input == HardInput.OFFSET) {
                            double lost = LossChecks.float32Departure(loss, xy[0], xy[1]);
                            if (!(lost <= OFFSET_AGREEMENT)) {
                                problems.add("float32 distances " + number(lost) + " away from float64 (relative) at "
                                        + input.description + ": a cancellation");
                            }
                        }
                    }
                    return Outcome.of(problems.isEmpty(), problems.isEmpty()
                            ? Arrays.stream(HardInput.values()).map(h -> h.description)
                                    .collect(java.util.stream.Collectors.joining(", "))
                            : String.join("; ", problems) + " (clamp before square roots and logarithms, no"
                            + " division by a difference that can vanish, no |a|^2 + |b|^2 - 2 a.b left unclamped:"
                            + " docs/PLUGINS.md, numerics)");
                }),
                check(subject, spec, "bad input rejected with a message naming the loss", (loss, scope) -> {
                    String owner = "loss '" + spec.id() + "'";
                    NDArray x = pair(scope, 22, DataType.FLOAT32, SIDE)[0];
                    List<String> accepted = new ArrayList<>();
                    List<String> unnamed = new ArrayList<>();
                    rejects(loss, "rank 3", x.get(0), x.get(0), owner, accepted, unnamed);
                    rejects(loss, "NaN", x.add(Float.NaN), x, owner, accepted, unnamed);
                    rejects(loss, "values outside [-1, 1]", x.add(2), x, owner, accepted, unnamed);
                    if (!accepted.isEmpty()) {
                        return Outcome.failed("accepted " + String.join(", ", accepted));
                    }
                    return Outcome.of(unnamed.isEmpty(), unnamed.isEmpty()
                            ? "rank 3, NaN and values outside [-1, 1] refused naming " + owner
                            : "refused without naming " + owner + ": " + String.join("; ", unnamed));
                }),
                check(subject, spec, "feature map exact, where offered", (loss, scope) -> {
                    if (loss.featureMap().isEmpty()) {
                        return Outcome.notApplicable("it offers no feature map");
                    }
                    FeatureMap map = loss.featureMap().get();
                    NDArray[] xy = pair(scope, 12, DataType.FLOAT64, SIDE);
                    double[] fromFeatures = values(map.features(xy[0]).sub(map.features(xy[1])).square()
                            .sum(new int[] {1}));
                    double difference = relativeDifference(fromFeatures, values(loss.distance(xy[0], xy[1])));
                    return Outcome.of(difference <= tol.float64(), "largest relative difference of ||f(x) - f(y)||^2"
                            + " from d(x, y) " + number(difference) + " (limit " + number(tol.float64()) + ")");
                }),
                check(subject, spec, "symmetric, where claimed", (loss, scope) -> {
                    if (!loss.symmetric()) {
                        return Outcome.notApplicable("it does not claim symmetry");
                    }
                    NDArray[] xy = pair(scope, 14, DataType.FLOAT64, SIDE);
                    double difference = relativeDifference(values(loss.distance(xy[1], xy[0])),
                            values(loss.distance(xy[0], xy[1])));
                    return Outcome.of(difference <= tol.float64(), "largest relative difference of d(y, x) from"
                            + " d(x, y) " + number(difference) + " (limit " + number(tol.float64()) + ")");
                }),
                check(subject, spec, "finite distances between different sizes, where accepted", (loss, scope) -> {
                    if (!loss.acceptsDifferentSizes()) {
                        return Outcome.notApplicable("it does not accept different sizes");
                    }
                    double[] d = values(loss.distance(pair(scope, 17, DataType.FLOAT32, SIDE)[0],
                            pair(scope, 16, DataType.FLOAT32, SIDE * 3 / 4)[1]));
                    return Outcome.of(Arrays.stream(d).allMatch(Double::isFinite), "distances " + SIDE + "^2 to "
                            + SIDE * 3 / 4 + "^2: " + Arrays.toString(rounded(d)));
                }),
                check(subject, spec, "distance matrices equal the paired distances", (loss, scope) -> {
                    NDArray[] ab = pair(scope, 18, DataType.FLOAT64, SIDE);
                    NDArray a = ab[0];
                    NDArray b = ab[1].get("0:2");
                    double worst = Math.max(
                            matrixError(loss, a, b, DistanceMatrix.of(loss, a, b, 2, Progress.silent())),
                            matrixError(loss, a, a, DistanceMatrix.of(loss, a, null, 4, Progress.silent())));
                    return Outcome.of(worst <= tol.float64(), "largest relative difference " + number(worst)
                            + " (limit " + number(tol.float64()) + ")");
                }),
                check(subject, redraw.map(name -> withFlag(spec, name)).orElse(spec),
                        "one draw for a whole comparison: its matrix equals its paired distances", (loss, scope) -> {
                    try (OneDraw draw = OneDraw.of(loss, false)) {
                        Loss view = draw.loss();
                        if (view == loss) {
                            return Outcome.notApplicable(redraw.isEmpty() ? "it draws nothing per call"
                                    : "it draws nothing per call even with " + redraw.get() + " true");
                        }
                        NDArray[] ab = pair(scope, 30, DataType.FLOAT64, SIDE);
                        NDArray a = ab[0];
                        double worst = Math.max(matrixError(view, a, a, DistanceMatrix.of(view, a, null, 2,
                                Progress.silent())), matrixError(view, a, ab[1], DistanceMatrix.of(view, a, ab[1], 2,
                                Progress.silent())));
                        String symmetry = "";
                        if (view.symmetric()) {
                            worst = Math.max(worst, relativeDifference(values(view.distance(ab[1], a)),
                                    values(view.distance(a, ab[1]))));
                            symmetry = ", and d(y, x) from d(x, y),";
                        }
                        return Outcome.of(worst <= tol.float64(), "with " + redraw.orElse("redraw") + " true, the"
                                + " one-draw view's matrices differ from its paired distances" + symmetry + " by "
                                + number(worst) + " (limit " + number(tol.float64()) + ")");
                    }
                }),
                check(subject, spec, "distances from one batch to several equal the paired distances", (loss, scope) -> {
                    NDArray[] xy = pair(scope, 20, DataType.FLOAT64, SIDE);
                    NDArray[] others = pair(scope, 22, DataType.FLOAT64, SIDE);
                    NDArray x = xy[0];
                    List<NDArray> candidates = List.of(xy[1], others[0], others[1]);
                    List<NDArray> fromX = loss.distancesFrom(x, candidates);
                    if (fromX.size() != candidates.size()) {
                        return Outcome.failed(fromX.size() + " results for " + candidates.size() + " candidate batches");
                    }
                    double worst = 0;
                    for (int k = 0; k < candidates.size(); k++) {
                        worst = Math.max(worst, relativeDifference(values(fromX.get(k)),
                                values(loss.distance(x, candidates.get(k)))));
                    }
                    return Outcome.of(worst <= tol.float64(), "largest relative difference of distancesFrom(x, [y1, y2,"
                            + " y3]) from d(x, yk) " + number(worst) + " (limit " + number(tol.float64()) + ")");
                }),
                check(subject, spec, "time of one forward+backward", (loss, scope) -> {
                    NDArray[] xy = pair(scope, 24, DataType.FLOAT32, TIMED_SIDE, TIMED_BATCH);
                    double seconds = LossChecks.forwardBackwardSeconds(loss, xy[0], xy[1], 3);
                    return Outcome.passed(number(seconds) + " s for " + TIMED_BATCH + " pair(s) of 3x" + TIMED_SIDE
                            + "x" + TIMED_SIDE + " float32 (median of 3 after a warm-up)");
                }));
    }

    /** A check on a fresh loss of {@code spec}; its constants and the check's arrays live in a scope released afterwards. */
    private Check check(String subject, LossSpec spec, String name, LossBody body) {
        return new Check(subject, name, () -> {
            try (NDManager scope = manager.newSubManager();
                 Loss loss = catalog.create(spec, LabContext.of(scope, SEED, catalog))) {
                return body.run(loss, scope);
            }
        });
    }

    @FunctionalInterface
    private interface LossBody {
        Outcome run(Loss loss, NDManager scope) throws Exception;
    }

    /** Records {@code what} in {@code accepted} when the loss computes it, in {@code unnamed} when its refusal does not name the loss. */
    private static void rejects(Loss loss, String what, NDArray x, NDArray y, String owner, List<String> accepted,
                                List<String> unnamed) {
        try {
            loss.distance(x, y);
            accepted.add(what);
        } catch (PlabException e) {
            if (e.getMessage() == null || !e.getMessage().contains(owner)) {
                unnamed.add(what + ": " + e.getMessage());
            }
        }
    }

    /** The first distances of a fresh loss built under run seed {@code seed}, float64. */
    private double[] distancesUnder(LossSpec spec, long seed) {
        try (NDManager scope = manager.newSubManager();
             Loss loss = catalog.create(spec, LabContext.of(scope, seed, catalog))) {
            NDArray[] xy = pair(scope, 26, DataType.FLOAT64, SIDE);
            return values(loss.distance(xy[0], xy[1]));
        }
    }

    /** The families' parameters that draw constants anew at every call. */
    private static final List<String> REDRAW_PARAMETERS = List.of("redraw", "reinit");

    private static LossSpec withFlag(LossSpec spec, String name) {
        ObjectNode params = spec.params().deepCopy();
        params.put(name, true);
        return new LossSpec(spec.id(), params);
    }

    private static LossSpec withSeed(LossSpec spec, long seed) {
        ObjectNode params = spec.params().deepCopy();
        params.put("seed", seed);
        return new LossSpec(spec.id(), params);
    }

    private double matrixError(Loss loss, NDArray a, NDArray b, DistanceMatrix matrix) {
        long n = a.getShape().get(0);
        long m = b.getShape().get(0);
        if (matrix.values().length != n || Arrays.stream(matrix.values()).anyMatch(row -> row.length != m)) {
            return Double.POSITIVE_INFINITY;
        }
        double worst = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                if (a == b && i == j && matrix.route() == DistanceMatrix.Route.FEATURES) {
                    continue; // the feature route sets d(x, x) = 0 exactly
                }
                double paired = values(loss.distance(a.get(i + ":" + (i + 1)), b.get(j + ":" + (j + 1))))[0];
                worst = Math.max(worst, Math.abs(matrix.values()[i][j] - paired) / Math.max(Math.abs(paired), 1e-12));
            }
        }
        return worst;
    }

    /**
     * Inputs where formulas exact in real numbers go wrong in float32: equal images, images a rounding
     * apart, flat and saturated images (variances and norms of zero), and a large common offset (where
     * |a|^2 + |b|^2 - 2 a.b cancels). Each a seeded float32 pair of {@link #BATCH} x 3 x {@link #SIDE}^2.
     */
    enum HardInput {
        EQUAL("x = y"),
        NEARLY_EQUAL("x = y + 1e-6 noise"),
        CONSTANT("constant images (0.3 against -0.2, and 0.3 against itself)"),
        SATURATED("saturated images (all -1, all 0 and all 1)"),
        OFFSET("a large common offset (0.95 + 1e-4 noise against 0.95 + 1e-4 noise)");

        final String description;

        HardInput(String description) {
            this.description = description;
        }

        NDArray[] pair(NDManager scope) {
            Random r = new Random(31 + ordinal());
            int size = BATCH * 3 * SIDE * SIDE;
            int perImage = 3 * SIDE * SIDE;
            double[] x = new double[size];
            double[] y = new double[size];
            for (int i = 0; i < size; i++) {
                int image = i / perImage;
                switch (this) {
                    case EQUAL -> x[i] = y[i] = 0.8 * (2 * r.nextDouble() - 1);
                    case NEARLY_EQUAL -> {
                        x[i] = 0.8 * (2 * r.nextDouble() - 1);
                        y[i] = x[i] + 1e-6 * r.nextGaussian();
                    }
                    case CONSTANT -> {
                        x[i] = 0.3;
                        y[i] = image == 0 ? -0.2 : 0.3;
                    }
                    case SATURATED -> {
                        x[i] = image == 0 ? -1 : image == 1 ? 0 : 1;
                        y[i] = image == 0 ? 1 : image == 1 ? 1 : 1;
                    }
                    case OFFSET -> {
                        x[i] = 0.95 + 1e-4 * r.nextGaussian();
                        y[i] = 0.95 + 1e-4 * r.nextGaussian();
                    }
                }
            }
            Shape shape = new Shape(BATCH, 3, SIDE, SIDE);
            return new NDArray[] {scope.create(x, shape).toType(DataType.FLOAT32, false),
                    scope.create(y, shape).toType(DataType.FLOAT32, false)};
        }
    }

    private static double[] ones(int n) {
        double[] r = new double[n];
        Arrays.fill(r, 1);
        return r;
    }

    /** Largest |a_i - b_i| / max(|b_i|, 1e-12); NaN anywhere is infinite. */
    private static double relativeDifference(double[] a, double[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-12);
            worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(worst, d);
        }
        return worst;
    }

    private static double maxAbs(double[] values) {
        return Arrays.stream(values).map(Math::abs).max().orElse(0);
    }

    private static double[] rounded(double[] values) {
        return Arrays.stream(values).map(v -> Double.parseDouble(number(v))).toArray();
    }

    private static double[] values(NDArray d) {
        return d.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    private static NDArray[] pair(NDManager scope, long seed, DataType type, int side) {
        return pair(scope, seed, type, side, BATCH);
    }

    /**
     * A seeded pair of batches: x uniform in [-0.8, 0.8] and y = x plus N(0, 0.1) noise, clipped, so that
     * patch kernels are neither saturated nor flat. Made from Java data: no engine state affects it.
     */
    private static NDArray[] pair(NDManager scope, long seed, DataType type, int side, int batch) {
        Random r = new Random(seed);
        int size = batch * 3 * side * side;
        double[] x = new double[size];
        double[] y = new double[size];
        for (int i = 0; i < size; i++) {
            x[i] = 0.8 * (2 * r.nextDouble() - 1);
            y[i] = Math.max(-1, Math.min(1, x[i] + 0.1 * r.nextGaussian()));
        }
        Shape shape = new Shape(batch, 3, side, side);
        return new NDArray[] {scope.create(x, shape).toType(type, false), scope.create(y, shape).toType(type, false)};
    }
}
