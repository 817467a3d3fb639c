package org.perceptuallab.host.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.perceptuallab.api.Loss;
import org.perceptuallab.host.Lab;

/** Times forward + backward of a loss with respect to x: warm-up runs, then the median of timed runs. */
public final class Bench {
    /** Warm-up continues until this much time has passed (JIT, allocator and caches settle). */
    static final double MIN_WARMUP_SECONDS = 0.5;
    /** Timed runs continue until this much time has passed. */
    static final double MIN_TIMED_SECONDS = 1.0;
    /** At most this many timed runs. */
    static final int MAX_RUNS = 1000;
    private Bench() {
    }

    /**
     * One workload's timings.
     *
     * @param workload what was timed
     * @param medianSeconds the median of the timed runs
     * @param runs every timed run, seconds
     * @param peakRssMib the process's peak resident memory so far (VmHWM), MiB, or -1 where unknown
     */
    public record Result(Workload workload, double medianSeconds, double[] runs, long peakRssMib) {
        /** Median over the reference time, or NaN without a reference. */
        public double ratio() {
            return medianSeconds / workload.referenceSeconds();
        }
    }

    /**
     * Runs a workload: at least {@code warmup} untimed runs and {@link #MIN_WARMUP_SECONDS}, then at least
     * {@code repeats} timed runs and {@link #MIN_TIMED_SECONDS} (fast workloads get more runs, so that
     * their median is not one cold sample).
     */
    public static Result run(Lab lab, Workload w, int warmup, int repeats) {
        NDManager base = lab.manager();
        try (NDManager owner = base.newSubManager(); Loss loss = lab.createLoss(w.spec(), owner)) {
            NDArray x = owner.randomUniform(-1, 1, w.shape());
            NDArray y = owner.randomUniform(-1, 1, w.shape());
            double warm = 0;
            for (int i = 0; i < warmup || (warmup > 0 && warm < MIN_WARMUP_SECONDS); i++) {
                warm += once(loss, x, y);
            }
            List<Double> runs = new ArrayList<>();
            double timed = 0;
            while (runs.size() < repeats || (timed < MIN_TIMED_SECONDS && runs.size() < MAX_RUNS)) {
                double t = once(loss, x, y);
                runs.add(t);
                timed += t;
            }
            return result(w, runs);
        }
    }

    /** The median of the timed runs, with this process's peak memory. */
    static Result result(Workload w, List<Double> runs) {
        double[] values = runs.stream().mapToDouble(Double::doubleValue).toArray();
        return new Result(w, median(values), values, peakRssMib());
    }

    /** The median of {@code values} (the mean of the middle two of an even count). */
    public static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double once(Loss loss, NDArray x, NDArray y) {
        try (NDManager scope = x.getManager().newSubManager()) {
            NDArray input = x.duplicate();
            input.attach(scope);
            input.setRequiresGradient(true);
            long start = System.nanoTime();
            try (GradientCollector gc = Engine.getEngine(x.getManager().getEngine().getEngineName())
                    .newGradientCollector()) {
                gc.backward(loss.distance(input, y).sum());
            }
            input.getGradient().sum().getFloat(); // waits for the device
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /** VmHWM of this process in MiB, or -1 off Linux. */
    public static long peakRssMib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
