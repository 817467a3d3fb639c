package org.perceptuallab.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.perceptuallab.api.DistanceMatrix;
import org.perceptuallab.api.FeatureMap;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.runtime.catalog.LabContext;
import org.perceptuallab.runtime.catalog.Registry;

/**
 * The loss contract, checked for every loss family on the test class path in each of its
 * {@linkplain LossFamily#examples() example configurations}: a plugin's test extends this class, with no
 * body, and every family it contributes is checked the same way. Per example: one finite distance per
 * pair; zero between an image and itself; gradients against central finite differences (float64); finite gradients at x = y; values
 * independent of the rest of the batch; no arrays left behind after calls; no gradient drift after a
 * garbage collection; an exact feature map where one is offered; symmetry where it is claimed; different
 * sizes where they are accepted; distance matrices equal to the paired distances.
 *
 * <p>Images are {@link #BATCH} x 3 x {@link #SIDE} x {@link #SIDE}; a family whose examples do not fit
 * that must declare ones that do. Override the tolerances where a family's arithmetic needs it. A family
 * with no example (it needs files that cannot ship) is reported skipped, by name.
 */
public abstract class LossContractTest extends CatalogTest {
    /** Pairs per batch. */
    public static final int BATCH = 3;
    /** Image side of the checks. */
    public static final int SIDE = 32;

    /** Largest gradient error relative to the largest gradient, float64 central differences. */
    protected double gradientTolerance() {
        return 1e-4;
    }

    /**
     * Largest relative difference of the float64 checks: a pair alone versus in its batch, the squared
     * feature distance versus the loss, d(y, x) versus d(x, y), a distance matrix versus the paired
     * distances. Float64 keeps summation order out of it.
     */
    protected double float64Tolerance() {
        return 1e-6;
    }

    @TestFactory
    Stream<DynamicNode> everyFamilyKeepsTheLossContractInEachExample() {
        List<DynamicNode> families = new ArrayList<>();
        for (Registry.Entry<LossFamily> entry : catalog.families().entries()) {
            LossFamily family = entry.extension();
            List<DynamicNode> examples = new ArrayList<>();
            for (ObjectNode params : family.examples()) {
                LossSpec spec = new LossSpec(family.id(), params.deepCopy());
                examples.add(DynamicContainer.dynamicContainer(spec.toString(), checks(spec)));
            }
            // A family that cannot be built without files the user supplies (published weights) declares none.
            families.add(DynamicContainer.dynamicContainer(family.id(), examples.isEmpty()
                    ? Stream.of(DynamicTest.dynamicTest("declares example configurations", () -> Assumptions.abort(
                    "loss family '" + family.id() + "' declares no example configuration: it needs files that"
                            + " cannot ship; its own tests cover it")))
                    : examples.stream()));
        }
        return families.stream();
    }

    private Stream<DynamicNode> checks(LossSpec spec) {
        return Stream.of(
                check(spec, "one finite distance per pair", loss -> {
                    NDArray[] xy = pair(1, DataType.FLOAT32, SIDE);
                    NDArray d = loss.distance(xy[0], xy[1]);
                    assertThat(d.getShape()).isEqualTo(new Shape(BATCH));
                    assertThat(d.getDataType()).isEqualTo(DataType.FLOAT32);
                    for (double v : d.toType(DataType.FLOAT64, false).toDoubleArray()) {
                        assertThat(v).isFinite();
                    }
                }),
                check(spec, "gradient matches finite differences", loss -> {
                    NDArray[] xy = pair(3, DataType.FLOAT64, SIDE);
                    assertThat(LossChecks.gradientError(loss, xy[0], xy[1], 6, 1e-6, 5)).isLessThan(gradientTolerance());
                }),
                check(spec, "an image is at distance zero from itself", loss -> {
                    NDArray x = pair(20, DataType.FLOAT32, SIDE)[0];
                    for (double v : values(loss.distance(x, x.duplicate()))) {
                        assertThat(Math.abs(v)).isLessThan(1e-6);
                    }
                }),
                check(spec, "gradient is finite at x = y", loss -> assertThat(
                        LossChecks.gradientFiniteAtEquality(loss, pair(5, DataType.FLOAT32, SIDE)[0])).isTrue()),
                check(spec, "each pair is independent of the batch", loss -> {
                    NDArray[] xy = pair(6, DataType.FLOAT64, SIDE);
                    assertThat(LossChecks.batchDependence(loss, xy[0], xy[1])).isLessThan(float64Tolerance());
                }),
                DynamicTest.dynamicTest("no arrays left behind", () -> {
                    try (NDManager constants = manager.newSubManager(); NDManager inputs = manager.newSubManager()) {
                        Loss loss = catalog.create(spec, LabContext.of(constants, 11, catalog));
                        NDArray[] xy = pair(8, DataType.FLOAT32, SIDE);
                        NDArray x = xy[0];
                        NDArray y = xy[1];
                        inputs.tempAttachAll(x, y);
                        loss.distance(x, y).close();
                        assertThat(LossChecks.arraysLeftBehind(loss, constants, x, y, 3)).isZero();
                        loss.close();
                    }
                }),
                check(spec, "gradient unchanged by a garbage collection before backward", loss -> {
                    NDArray[] xy = pair(10, DataType.FLOAT32, SIDE);
                    assertThat(LossChecks.gradientDriftUnderGarbageCollection(loss, xy[0], xy[1])).isZero();
                }),
                check(spec, "a feature map, where offered, is exact", loss -> {
                    if (loss.featureMap().isEmpty()) {
                        return;
                    }
                    FeatureMap map = loss.featureMap().get();
                    NDArray[] xy = pair(12, DataType.FLOAT64, SIDE);
                    NDArray x = xy[0];
                    NDArray y = xy[1];
                    double[] fromFeatures = map.features(x).sub(map.features(y)).square().sum(new int[] {1})
                            .toType(DataType.FLOAT64, false).toDoubleArray();
                    assertClose(fromFeatures, values(loss.distance(x, y)), float64Tolerance(), "squared feature distance");
                }),
                check(spec, "symmetry, where claimed, holds", loss -> {
                    if (!loss.symmetric()) {
                        return;
                    }
                    NDArray[] xy = pair(14, DataType.FLOAT64, SIDE);
                    NDArray x = xy[0];
                    NDArray y = xy[1];
                    assertClose(values(loss.distance(y, x)), values(loss.distance(x, y)), float64Tolerance(), "d(y, x)");
                }),
                check(spec, "different sizes, where accepted, give finite distances", loss -> {
                    if (!loss.acceptsDifferentSizes()) {
                        return;
                    }
                    NDArray y = pair(16, DataType.FLOAT32, SIDE * 3 / 4)[1];
                    for (double v : values(loss.distance(pair(17, DataType.FLOAT32, SIDE)[0], y))) {
                        assertThat(v).isFinite();
                    }
                }),
                check(spec, "distance matrices equal the paired distances", loss -> {
                    NDArray[] ab = pair(18, DataType.FLOAT64, SIDE);
                    NDArray a = ab[0];
                    NDArray b = ab[1].get("0:2");
                    assertMatchesPairs(loss, a, b, DistanceMatrix.of(loss, a, b, 2,
                            org.perceptuallab.api.Progress.silent()));
                    assertMatchesPairs(loss, a, a, DistanceMatrix.of(loss, a, null, 4,
                            org.perceptuallab.api.Progress.silent()));
                }));
    }

    /** A check on a fresh loss of {@code spec}, its arrays in a scope released afterwards. */
    private static DynamicTest check(LossSpec spec, String name, Consumer<Loss> body) {
        return DynamicTest.dynamicTest(name, () -> {
            try (NDManager scope = manager.newSubManager();
                 Loss loss = catalog.create(spec, LabContext.of(scope, 11, catalog))) {
                body.accept(loss);
            } catch (AssertionError e) {
                // Dynamic tests are reported by index: the message names the loss and the check.
                throw new AssertionError(spec + ", " + name + ": " + e.getMessage(), e);
            }
        });
    }

    private void assertMatchesPairs(Loss loss, NDArray a, NDArray b, DistanceMatrix matrix) {
        long n = a.getShape().get(0);
        long m = b.getShape().get(0);
        assertThat(matrix.values().length).isEqualTo((int) n);
        for (int i = 0; i < n; i++) {
            assertThat(matrix.values()[i]).hasSize((int) m);
            for (int j = 0; j < m; j++) {
                if (a == b && i == j && matrix.route() == DistanceMatrix.Route.FEATURES) {
                    continue; // the feature route sets d(x, x) = 0 exactly
                }
                double paired = values(loss.distance(a.get(i + ":" + (i + 1)), b.get(j + ":" + (j + 1))))[0];
                assertThat(matrix.values()[i][j]).as("d(a_%d, b_%d) by %s", i, j, matrix.route())
                        .isCloseTo(paired, org.assertj.core.data.Offset.offset(
                                float64Tolerance() * Math.max(Math.abs(paired), 1e-12)));
            }
        }
    }

    private static void assertClose(double[] actual, double[] expected, double tolerance, String what) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("%s of pair %d", what, i).isCloseTo(expected[i],
                    org.assertj.core.data.Offset.offset(tolerance * Math.max(Math.abs(expected[i]), 1e-12)));
        }
    }

    private static double[] values(NDArray d) {
        return d.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    /**
     * A seeded pair of batches: x uniform in [-0.8, 0.8] and y = x plus N(0, 0.1) noise, clipped, so that
     * patch kernels are neither saturated nor flat. Made from Java data: no engine state affects it.
     */
    protected static NDArray[] pair(long seed, DataType type, int side) {
        Random r = new Random(seed);
        int size = BATCH * 3 * side * side;
        double[] x = new double[size];
        double[] y = new double[size];
        for (int i = 0; i < size; i++) {
            x[i] = 0.8 * (2 * r.nextDouble() - 1);
            y[i] = Math.max(-1, Math.min(1, x[i] + 0.1 * r.nextGaussian()));
        }
        Shape shape = new Shape(BATCH, 3, side, side);
        return new NDArray[] {manager.create(x, shape).toType(type, false), manager.create(y, shape).toType(type, false)};
    }
}
