package org.perceptuallab.host.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.perceptuallab.api.Loss;
import org.perceptuallab.host.Lab;

/** Times forward + backward of a loss with respect to x: warm-up runs, then the median of timed runs. */
public final class Bench {
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

    /** Runs a workload: {@code warmup} untimed runs, then {@code repeats} timed ones. */
    public static Result run(Lab lab, Workload w, int warmup, int repeats) {
        NDManager base = lab.manager();
        try (NDManager owner = base.newSubManager(); Loss loss = lab.createLoss(w.spec(), owner)) {
            NDArray x = owner.randomUniform(-1, 1, w.shape());
            NDArray y = owner.randomUniform(-1, 1, w.shape());
            double[] runs = new double[repeats];
            for (int i = 0; i < warmup + repeats; i++) {
                double t = once(loss, x, y);
                if (i >= warmup) {
                    runs[i - warmup] = t;
                }
            }
            double[] sorted = runs.clone();
            Arrays.sort(sorted);
            double median = repeats % 2 == 1 ? sorted[repeats / 2]
                    : (sorted[repeats / 2 - 1] + sorted[repeats / 2]) / 2;
            return new Result(w, median, runs, peakRssMib());
        }
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
