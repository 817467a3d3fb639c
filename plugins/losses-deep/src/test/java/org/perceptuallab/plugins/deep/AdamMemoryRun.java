package org.perceptuallab.plugins.deep;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.LinkedHashMap;
import java.util.Map;
import org.perceptuallab.api.Loss;
import org.perceptuallab.kit.ResidentMemory;
import org.perceptuallab.testkit.TestLab;

/**
 * Resident memory over an Adam optimisation of one image under a loss, the way an experiment runs it:
 * x = tanh(z) keeps the image in [-1, 1], every step in its own sub-manager. Run as a program for the full
 * measurement ({@code AdamMemoryRun [size] [steps] [loss params JSON]}, defaults 128, 1000, vgg's defaults)
 * with the launcher's JVM options ({@code -Xms128m -Xmn64m -XX:+AlwaysPreTouch}: an adaptive young generation
 * grows into fresh pages for thousands of steps); {@link VggMemoryTest} runs a short version.
 */
public final class AdamMemoryRun {
    private AdamMemoryRun() {
    }

    /**
     * Optimises a 1x3xSxS image for {@code steps} steps and returns VmRSS in MiB after each step listed in
     * {@code checkpoints} (1-based step counts).
     */
    static Map<Integer, Long> run(String lossId, String params, int size, int steps, int... checkpoints) {
        TestLab.retainFreedMemoryAsTheHostDoes();
        Map<Integer, Long> rss = new LinkedHashMap<>();
        try (NDManager base = NDManager.newBaseManager();
             Loss loss = TestLosses.create(base, lossId, params, null)) {
            Shape shape = new Shape(1, 3, size, size);
            NDArray y = base.randomUniform(-0.9f, 0.9f, shape);
            NDArray z = base.randomNormal(0, 0.5f, shape, ai.djl.ndarray.types.DataType.FLOAT32);
            z.setRequiresGradient(true);
            Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build();
            for (int step = 1; step <= steps; step++) {
                try (NDManager scope = base.newSubManager()) {
                    z.tempAttach(scope);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(loss.distance(z.tanh(), y).sum());
                    }
                    adam.update("z", z, z.getGradient());
                }
                for (int c : checkpoints) {
                    if (c == step) {
                        rss.put(step, ResidentMemory.mib());
                    }
                }
            }
        }
        return rss;
    }

    public static void main(String[] args) {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        String params = args.length > 2 ? args[2] : "{}";
        long start = System.nanoTime();
        Map<Integer, Long> rss = run("vgg", params, size, steps, 1, 10, 50, 100, 200, 500, 1000, 1500, steps);
        rss.forEach((step, mib) -> System.out.printf("step %5d  VmRSS %6d MiB%n", step, mib));
        long at100 = rss.get(Math.min(100, steps));
        System.out.printf("growth after step 100: %.2f%% (%d -> %d MiB); %.1f s%n",
                100.0 * (rss.get(steps) - at100) / at100, at100, rss.get(steps), (System.nanoTime() - start) / 1e9);
    }
}
