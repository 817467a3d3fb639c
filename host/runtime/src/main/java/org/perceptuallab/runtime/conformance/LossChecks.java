package org.perceptuallab.runtime.conformance;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.perceptuallab.api.Loss;

/**
 * The measurements behind the loss contract ({@link LossConformance}), for plugin authors' own tests too:
 * gradients against central finite differences, finite gradients at x = y, per-pair values independent of
 * the rest of the batch, arrays left behind, gradient drift under garbage collection, time.
 */
public final class LossChecks {
    private LossChecks() {
    }

    /** The gradient of {@code sum_i r_i d_i(x, y)} with respect to x, as doubles. */
    public static double[] gradient(Loss loss, NDArray x, NDArray y, double[] r) {
        return gradient(loss, x, y, r, () -> { });
    }

    /** The same, running {@code betweenForwardAndBackward} after the forward pass. */
    private static double[] gradient(Loss loss, NDArray x, NDArray y, double[] r, Runnable betweenForwardAndBackward) {
        NDManager m = x.getManager();
        try (NDManager scope = m.newSubManager()) {
            NDArray xv = x.duplicate();
            xv.attach(scope);
            xv.setRequiresGradient(true);
            NDArray weights = scope.create(r).toType(x.getDataType(), false);
            try (GradientCollector gc = Engine.getEngine(x.getManager().getEngine().getEngineName())
                    .newGradientCollector()) {
                NDArray objective = loss.distance(xv, y).mul(weights).sum();
                betweenForwardAndBackward.run();
                gc.backward(objective);
            }
            return xv.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
        }
    }

    /**
     * Largest absolute difference between the gradient computed plainly and with a garbage collection
     * between forward and backward, followed by new small arrays made from Java data (which take over
     * freed Java buffers). Non-zero means autograd kept memory the JVM owns and freed: a number passed to
     * {@code mul}, {@code div} or {@code pow} (use {@code Ops.times}, {@code Ops.pow}), or an array made
     * from Java data closed while in use (use {@code Ops.owned}).
     */
    public static double gradientDriftUnderGarbageCollection(Loss loss, NDArray x, NDArray y) {
        double[] r = new double[(int) x.getShape().get(0)];
        Arrays.fill(r, 1);
        double[] plain = gradient(loss, x, y, r);
        NDManager m = x.getManager();
        double[] collected = gradient(loss, x, y, r, () -> {
            System.gc();
            for (int i = 0; i < 256; i++) {
                float[] junk = new float[1 + i % 16];
                Arrays.fill(junk, 1e3f);
                m.create(junk).close();
            }
        });
        double worst = 0;
        for (int i = 0; i < plain.length; i++) {
            worst = Math.max(worst, Math.abs(plain[i] - collected[i]));
        }
        return worst;
    }

    /**
     * How far the gradient moves between two plain runs (the backend's own run-to-run difference: a native
     * kernel reading uninitialised memory, or a non-deterministic reduction), and between a plain run and
     * one with a garbage collection between forward and backward (a Java buffer that autograd kept).
     */
    public record Repeatability(double runToRun, double underCollection) {
    }

    /** {@link Repeatability} of the gradient of the summed distances with respect to x. */
    public static Repeatability gradientRepeatability(Loss loss, NDArray x, NDArray y) {
        double[] r = new double[(int) x.getShape().get(0)];
        Arrays.fill(r, 1);
        double[] first = gradient(loss, x, y, r);
        double[] second = gradient(loss, x, y, r);
        return new Repeatability(largestChange(first, second), gradientDriftUnderGarbageCollection(loss, x, y));
    }

    /** Largest |a_i - b_i|, equal NaNs agreeing; a NaN against a number is infinite. */
    private static double largestChange(double[] a, double[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            if (Double.compare(a[i], b[i]) != 0) {
                double d = Math.abs(a[i] - b[i]);
                worst = Math.max(worst, Double.isNaN(d) ? Double.POSITIVE_INFINITY : d);
            }
        }
        return worst;
    }

    /** Largest |a_i - b_i| over the largest |b_i|; NaN anywhere is infinite, all-zero b is compared absolutely. */
    public static double relativeToLargest(double[] a, double[] b) {
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            scale = Math.max(scale, Math.abs(b[i]));
            double d = Math.abs(a[i] - b[i]);
            worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(worst, d);
        }
        return scale == 0 ? worst : worst / scale;
    }

    /**
     * What goes wrong on one pair of hard inputs, each problem naming {@code what}: distances that are NaN,
     * infinite or below the loss's minimum (zero, or the least d(x, x) where the loss's formula gives an
     * image and itself a negative value, as the contextual loss does), and gradient elements (of the summed
     * distances, with respect to x) that are NaN or infinite. Empty when nothing does.
     */
    public static List<String> hardInputProblems(Loss loss, NDArray x, NDArray y, String what) {
        List<String> problems = new ArrayList<>();
        double[] d;
        double floor;
        try (NDManager scope = x.getManager().newSubManager()) {
            d = loss.distance(x, y).toType(DataType.FLOAT64, false).toDoubleArray();
            floor = Math.min(0, Arrays.stream(loss.distance(x, x.duplicate()).toType(DataType.FLOAT64, false)
                    .toDoubleArray()).min().orElse(0));
        }
        if (Arrays.stream(d).anyMatch(v -> !Double.isFinite(v))) {
            problems.add("distances " + Arrays.toString(d) + " at " + what);
        } else if (Arrays.stream(d).anyMatch(v -> v < floor)) {
            problems.add("distance " + Arrays.stream(d).min().getAsDouble() + " below the loss's minimum "
                    + floor + " at " + what);
        }
        double[] r = new double[d.length];
        Arrays.fill(r, 1);
        long bad = Arrays.stream(gradient(loss, x, y, r)).filter(g -> !Double.isFinite(g)).count();
        if (bad > 0) {
            problems.add(bad + " of " + x.getShape().size() + " gradient elements NaN or infinite at " + what);
        }
        return problems;
    }

    /**
     * Largest |d32 - d64| / |d64| over the pairs: the loss's float32 distances against its float64 ones of the
     * same (float32-representable) images.
     */
    public static double float32Departure(Loss loss, NDArray x, NDArray y) {
        try (NDManager scope = x.getManager().newSubManager()) {
            double[] single = loss.distance(x, y).toType(DataType.FLOAT64, false).toDoubleArray();
            double[] wide = loss.distance(x.toType(DataType.FLOAT64, false), y.toType(DataType.FLOAT64, false))
                    .toDoubleArray();
            double worst = 0;
            for (int i = 0; i < wide.length; i++) {
                double d = Math.abs(single[i] - wide[i]) / Math.max(Math.abs(wide[i]), 1e-30);
                worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(worst, d);
            }
            return worst;
        }
    }

    /**
     * Largest difference between the autograd gradient and central differences, over the {@code samples}
     * elements with the largest gradient plus as many random ones, relative to the largest gradient
     * magnitude. Inputs should be float64 for a meaningful check.
     */
    public static double gradientError(Loss loss, NDArray x, NDArray y, int samples, double eps, long seed) {
        long n = x.getShape().get(0);
        Random random = new Random(seed);
        double[] r = new double[(int) n];
        for (int i = 0; i < n; i++) {
            r[i] = 0.5 + random.nextDouble();
        }
        double[] analytic = gradient(loss, x, y, r);
        double scale = Arrays.stream(analytic).map(Math::abs).max().orElse(0);
        if (scale == 0) {
            return Double.POSITIVE_INFINITY;
        }
        Integer[] byMagnitude = IntStream.range(0, analytic.length).boxed()
                .sorted(Comparator.comparingDouble(i -> -Math.abs(analytic[i]))).toArray(Integer[]::new);
        int[] chosen = IntStream.concat(
                IntStream.range(0, Math.min(samples, analytic.length)).map(i -> byMagnitude[i]),
                random.ints(samples, 0, analytic.length)).distinct().toArray();
        double[] base = x.toType(DataType.FLOAT64, false).toDoubleArray();
        double worst = 0;
        for (int index : chosen) {
            double plus = objective(loss, x, y, base, index, eps, r);
            double minus = objective(loss, x, y, base, index, -eps, r);
            double numeric = (plus - minus) / (2 * eps);
            worst = Math.max(worst, Math.abs(numeric - analytic[index]) / scale);
        }
        return worst;
    }

    private static double objective(Loss loss, NDArray x, NDArray y, double[] base, int index, double delta,
                                    double[] r) {
        try (NDManager scope = x.getManager().newSubManager()) {
            double[] moved = base.clone();
            moved[index] += delta;
            NDArray xm = scope.create(moved, x.getShape()).toType(x.getDataType(), false);
            double[] d = loss.distance(xm, y).toType(DataType.FLOAT64, false).toDoubleArray();
            double sum = 0;
            for (int i = 0; i < d.length; i++) {
                sum += r[i] * d[i];
            }
            return sum;
        }
    }

    /**
     * Median seconds of {@code runs} forward+backward passes (the gradient with respect to x of the summed
     * distances), after one warm-up.
     */
    public static double forwardBackwardSeconds(Loss loss, NDArray x, NDArray y, int runs) {
        double[] r = new double[(int) x.getShape().get(0)];
        Arrays.fill(r, 1);
        gradient(loss, x, y, r);
        double[] seconds = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            gradient(loss, x, y, r);
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(seconds);
        return seconds[runs / 2];
    }

    /**
     * Largest relative difference between the batch's per-pair distances and each pair evaluated alone.
     */
    public static double batchDependence(Loss loss, NDArray x, NDArray y) {
        try (NDManager scope = x.getManager().newSubManager()) {
            double[] together = loss.distance(x, y).toType(DataType.FLOAT64, false).toDoubleArray();
            double worst = 0;
            for (int i = 0; i < together.length; i++) {
                String row = i + ":" + (i + 1);
                double alone = loss.distance(x.get(row), y.get(row)).toType(DataType.FLOAT64, false)
                        .toDoubleArray()[0];
                worst = Math.max(worst, Math.abs(alone - together[i]) / Math.max(Math.abs(alone), 1e-12));
            }
            return worst;
        }
    }

    /**
     * Arrays left behind by {@code calls} forward calls (each result closed) in the managers of x, y and
     * the loss's constants. A loss used in a long optimisation loop must leave none.
     */
    public static int arraysLeftBehind(Loss loss, NDManager constants, NDArray x, NDArray y, int calls) {
        List<NDManager> managers = new ArrayList<>(new LinkedHashSet<>(
                List.of(x.getManager(), y.getManager(), constants)));
        int before = managedArrays(managers);
        for (int i = 0; i < calls; i++) {
            try (NDArray d = loss.distance(x, y)) {
                d.toFloatArray();
            }
        }
        return managedArrays(managers) - before;
    }

    private static int managedArrays(List<NDManager> managers) {
        return managers.stream().mapToInt(m -> ((BaseNDManager) m).getManagedArrays().size()).sum();
    }
}
