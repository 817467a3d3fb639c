package org.perceptuallab.plugins.generative;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.perceptuallab.kit.tensor.Draws;
import org.perceptuallab.testkit.CatalogTest;

/** The Gaussian fit and the sliced Wasserstein distance on sets whose answers are known. */
class StatisticsTest extends CatalogTest {

    @Test
    void theGaussianHasTheCodesMeanAndCovarianceAndItsFactorReproducesThem() {
        double[][] codes = {{1, 2}, {3, 2}, {2, 5}, {2, 3}};
        Gaussian g = Gaussian.fit(codes);
        assertThat(g.mean()).containsExactly(2.0, 3.0);
        // over N: var x = 0.5, var y = 1.5, cov = 0
        assertThat(g.covariance()[0]).containsExactly(0.5, 0.0);
        assertThat(g.covariance()[1]).containsExactly(0.0, 1.5);
        assertThat(g.ridge()).isCloseTo(1e-6, within(1e-18));
        double[][] l = g.cholesky();
        assertThat(l[0][0] * l[0][0]).isCloseTo(0.5 + g.ridge(), within(1e-15));
        assertThat(l[1][1] * l[1][1] + l[1][0] * l[1][0]).isCloseTo(1.5 + g.ridge(), within(1e-15));
        assertThat(l[0][1]).isZero();
    }

    @Test
    void aSampleIsTheMeanPlusTheFactorTimesStandardNormalDraws() {
        Gaussian g = Gaussian.fit(new double[][] {{0, 0}, {2, 2}, {0, 1}, {2, 3}});
        double[][] samples = g.sample(new Random(7), 2);
        Random same = new Random(7);
        double[] mean = g.mean();
        double[][] l = g.cholesky();
        for (double[] sample : samples) {
            double e0 = same.nextGaussian();
            double e1 = same.nextGaussian();
            assertThat(sample[0]).isEqualTo(mean[0] + l[0][0] * e0);
            assertThat(sample[1]).isEqualTo(mean[1] + l[1][0] * e0 + l[1][1] * e1);
        }
        // the factor of this fit has an off-diagonal term: the samples' coordinates are correlated
        assertThat(l[1][0]).isNotZero();
    }

    @Test
    void slicedWassersteinIsTheMeanGapOfSortedProjections() {
        try (NDManager m = manager.newSubManager()) {
            // along the first axis the sorted sets are {0, 1} and {2, 3}: gaps 2 and 2; along the second {0, 0} and
            // {0, 4}: gaps 0 and 4; mean 2
            NDArray a = m.create(new float[] {1, 0, 0, 0}, new Shape(2, 2));
            NDArray b = m.create(new float[] {3, 4, 2, 0}, new Shape(2, 2));
            NDArray axes = m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2));
            assertThat(SlicedWasserstein.distance(a, b, axes)).isEqualTo(2.0);
            assertThat(SlicedWasserstein.distance(a, a, axes)).isZero();
            NDArray directions = SlicedWasserstein.directions(m, new Draws(2), 2, 16);
            float[] d = directions.toFloatArray();
            for (int k = 0; k < 16; k++) {
                assertThat(d[k] * d[k] + d[16 + k] * d[16 + k]).isCloseTo(1f, within(1e-6f));
            }
            assertThat(SlicedWasserstein.distance(a, b, directions))
                    .isEqualTo(SlicedWasserstein.distance(b, a, directions));
        }
    }

    @Test
    void patchRowsHoldEveryPatchOfEveryImage() {
        try (NDManager m = manager.newSubManager()) {
            NDArray images = m.arange(2 * 3 * 4 * 4).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                    .reshape(2, 3, 4, 4);
            NDArray rows = SlicedWasserstein.patchRows(images, 2, 2);
            assertThat(rows.getShape()).isEqualTo(new Shape(8, 12));
            // image 0, the patch at (0, 2): channel 0 pixels 2, 3, 6, 7, then channel 1 (+16) and 2 (+32)
            assertThat(rows.get(1).toFloatArray()).containsExactly(2, 3, 6, 7, 18, 19, 22, 23, 34, 35, 38, 39);
        }
    }
}
