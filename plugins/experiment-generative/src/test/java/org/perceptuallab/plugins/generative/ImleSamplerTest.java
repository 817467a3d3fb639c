package org.perceptuallab.plugins.generative;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.perceptuallab.api.Progress;
import org.perceptuallab.kit.tensor.Draws;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.TestCell;

/**
 * The IMLE sampler: its samples move onto the codes as it trains, on codes of a GLO's scale (far below the
 * mapping's initial unit scale) or far above it they land among the codes, and a fit stopped after an epoch
 * continues from its checkpoint to the mapping of an uninterrupted fit, bit for bit.
 */
class ImleSamplerTest extends CatalogTest {
    private static final ImleSampler.Schedule SCHEDULE = new ImleSampler.Schedule(4, 6, 8, 0.01);

    private static final ImleSampler.Schedule REFERENCE = new ImleSampler.Schedule(64, 10, 8, 0.001);

    /** 64 codes in 5 dimensions: half near (3, ..., 3), half near (-3, ..., -3). */
    private static NDArray twoClusters(NDManager m) {
        NDArray signs = m.create(new float[] {1, -1}).repeat(32).reshape(64, 1);
        return new Draws(3).normal(m, new Shape(64, 5)).muli(0.1).addi(signs.mul(3));
    }

    /** 80 codes in 16 dimensions drawn from a normal of standard deviation {@code scale} around 2 {@code scale}. */
    private static NDArray gaussianCodes(NDManager m, double scale) {
        return new Draws(5).normal(m, new Shape(80, 16)).addi(2).muli(scale);
    }

    /** Mean over samples of the squared distance to the nearest code. */
    private static double meanNearest(NDArray samples, NDArray codes) {
        NDArray d = samples.expandDims(1).sub(codes.expandDims(0)).square().sum(new int[] {2});
        return d.min(new int[] {1}).mean().getFloat();
    }

    @Test
    void samplesMoveOntoTheCodesAsItTrains(@TempDir Path dir) throws Exception {
        try (NDManager m = manager.newSubManager()) {
            NDArray codes = gaussianCodes(m, 1);
            double untrained = meanNearest(fit(new ImleSampler.Schedule(64, 0, 8, 0.001), codes, m, dir.resolve("a"))
                    .sample(new Draws(1), 200, m), codes);
            double trained = meanNearest(fit(REFERENCE, codes, m, dir.resolve("b")).sample(new Draws(1), 200, m),
                    codes);
            // 28 untrained, 10 trained; the codes' own nearest other code: 13
            assertThat(trained).isLessThan(untrained / 2);
            assertThat(TestCell.metrics(dir.resolve("b")).get(ImleSampler.LOSS)).hasSize(10);
        }
    }

    /**
     * 80 Gaussian codes in 16 dimensions of standard deviation {@code scale} around a mean of 2 {@code scale}: at
     * 0.05, the scale of a GLO's codes on the bundled Fashion-MNIST, the unscaled mapping's outputs (standard
     * deviation about 1) found one noise nearest to every code, and its samples stayed 50 times farther from the
     * codes than the codes are from each other.
     */
    @ParameterizedTest
    @ValueSource(doubles = {0.05, 20})
    void samplesLieAmongTheCodesWhateverTheirScale(double scale, @TempDir Path dir) throws Exception {
        try (NDManager m = manager.newSubManager()) {
            NDArray codes = gaussianCodes(m, scale);
            NDArray samples = fit(REFERENCE, codes, m, dir).sample(new Draws(1), 200, m);
            double codeSpread = Math.sqrt(nearestOther(codes));
            assertThat(Math.sqrt(meanNearest(samples, codes))).as("distance of a sample to its nearest code")
                    .isBetween(0.5 * codeSpread, 1.5 * codeSpread);
            double codeStd = spread(codes);
            assertThat(spread(samples)).as("spread of the samples").isBetween(0.5 * codeStd, 1.5 * codeStd);
            assertThat(samples.mean(new int[] {0}).sub(codes.mean(new int[] {0})).abs().max().getFloat())
                    .as("largest difference of the means").isLessThan((float) (0.5 * codeStd));
        }
    }

    @Test
    void aFitStoppedAfterAnEpochContinuesToTheSameMapping(@TempDir Path dir) throws Exception {
        try (NDManager m = manager.newSubManager()) {
            NDArray codes = twoClusters(m);
            float[] clean = fit(SCHEDULE, codes, m, dir.resolve("clean")).sample(new Draws(1), 16, m).toFloatArray();
            Path stopped = dir.resolve("stopped");
            assertThatThrownBy(() -> {
                try (TestCell ctx = lab.cell(m.newSubManager(), 0, stopped).open()) {
                    ImleSampler.fit(codes, SCHEDULE, Init.XAVIER, 11, ctx.state(), stoppingAfter(2), ctx.manager());
                }
            }).hasMessageContaining("stopped");
            List<Long> steps = new ArrayList<>();
            float[] resumed = fit(SCHEDULE, codes, m, stopped, recording(steps)).sample(new Draws(1), 16, m)
                    .toFloatArray();
            assertThat(steps).as("continued after the 3 epochs checkpointed").startsWith(3L, 1L).hasSize(4);
            assertThat(resumed).containsExactly(clean);
            assertThat(TestCell.metrics(stopped).get(ImleSampler.LOSS))
                    .isEqualTo(TestCell.metrics(dir.resolve("clean")).get(ImleSampler.LOSS));
        }
    }

    /** Root-mean-square distance of the rows from their mean. */
    private static double spread(NDArray rows) {
        return rows.sub(rows.mean(new int[] {0})).square().mean().sqrt().getFloat();
    }

    /** Mean over codes of the squared distance to the nearest other code. */
    private static double nearestOther(NDArray codes) {
        NDArray d = codes.expandDims(1).sub(codes.expandDims(0)).square().sum(new int[] {2});
        NDArray self = codes.getManager().eye((int) codes.getShape().get(0)).muli(Float.MAX_VALUE);
        return d.add(self).min(new int[] {1}).mean().getFloat();
    }

    private static ImleSampler fit(ImleSampler.Schedule schedule, NDArray codes, NDManager m, Path out)
            throws Exception {
        return fit(schedule, codes, m, out, Progress.silent());
    }

    private static ImleSampler fit(ImleSampler.Schedule schedule, NDArray codes, NDManager m, Path out,
                                   Progress progress) throws Exception {
        try (TestCell ctx = lab.cell(m.newSubManager(), 0, out).open()) {
            return ImleSampler.fit(codes, schedule, Init.XAVIER, 11, ctx.state(), progress, m);
        }
    }

    /** A progress that records the steps it is told of. */
    private static Progress recording(List<Long> steps) {
        return new Progress() {
            @Override
            public void step(long n) {
                steps.add(n);
            }

            @Override
            public void status(String text) {
            }

            @Override
            public void close() {
            }
        };
    }

    /** A progress that throws once more than {@code epochs} epochs are done. */
    private static Progress stoppingAfter(int epochs) {
        return new Progress() {
            private long done;

            @Override
            public void step(long n) {
                done += n;
                if (done > epochs) {
                    throw new IllegalStateException("stopped after " + epochs + " epochs");
                }
            }

            @Override
            public void status(String text) {
            }

            @Override
            public void close() {
            }
        };
    }
}
