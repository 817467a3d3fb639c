package org.perceptuallab.plugins.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.kit.InputBound;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.StudyPyramid;

/**
 * The study's Laplacian SWD, losses-pixel's {@code laplacian} composite over {@code patch-swd}: the sum over the
 * bands of the study's pyramid (float64 loops, {@link StudyPyramid}) of 4^j times patch-swd of the bands, one
 * draw of directions for all bands of a call, as a one-draw view of patch-swd built alone from the same seed.
 */
class LaplacianSwdTest extends CatalogTest {
    private static final long SEED = 7;
    private static final int LEVELS = 2;
    private static final String SWD = "{\"loss\": \"patch-swd\", \"params\": {\"patchSize\": 3, \"projections\": 16,"
            + " \"redraw\": %s}}";

    @Test
    void fixedDirectionsGiveTheWeightedSumOfPatchSwdOverTheStudysBands() throws Exception {
        double[][][][] x = StudyPyramid.uniform(new Random(5), 2, 3, 16, 16, 1);
        double[][][][] y = StudyPyramid.uniform(new Random(6), 2, 3, 16, 16, 1);
        try (Loss laplacian = lab.loss(laplacianOf(false), manager, SEED); Loss swd = bandLoss(false)) {
            assertThat(values(laplacian.distance(batch(x), batch(y))))
                    .containsExactly(expected(swd, x, y), within(1e-9));
        }
    }

    @Test
    void aOneDrawViewUsesOneDrawForEveryBandAndEveryCall() throws Exception {
        double[][][][] x = StudyPyramid.uniform(new Random(5), 2, 3, 16, 16, 1);
        double[][][][] y = StudyPyramid.uniform(new Random(6), 2, 3, 16, 16, 1);
        try (Loss laplacian = lab.loss(laplacianOf(true), manager, SEED); Loss swd = bandLoss(true);
             Loss view = laplacian.oneDraw(); Loss swdView = swd.oneDraw()) {
            assertThat(view).isNotSameAs(laplacian);
            double[] first = values(view.distance(batch(x), batch(y)));
            assertThat(values(view.distance(batch(x), batch(y)))).containsExactly(first);
            assertThat(values(view.distance(batch(y), batch(x)))).containsExactly(first, within(1e-12));
            assertThat(first).containsExactly(expected(swdView, x, y), within(1e-9));
            assertThat(values(laplacian.distance(batch(x), batch(y))))
                    .isNotEqualTo(values(laplacian.distance(batch(x), batch(y))));
        }
    }

    private static String laplacianOf(boolean redraw) {
        return "{\"loss\": \"laplacian\", \"params\": {\"of\": " + SWD.formatted(redraw) + ", \"levels\": " + LEVELS
                + "}}";
    }

    /** patch-swd built alone as the composite builds its inner loss: same seed, bands' range. */
    private static Loss bandLoss(boolean redraw) throws Exception {
        LossSpec spec = LossSpec.parse("test: ", new ObjectMapper().readTree(SWD.formatted(redraw)));
        return lab.losses().create(spec, InputBound.widened(lab.lossContext(manager, SEED), 2));
    }

    /** Per pair, sum over bands j of 4^j swd(band_j(x), band_j(y)), the study's default weighting. */
    private static double[] expected(Loss swd, double[][][][] x, double[][][][] y) {
        double[][] kernel = StudyPyramid.kernel(5, 1.0);
        double[] out = new double[x.length];
        for (int n = 0; n < x.length; n++) {
            List<double[][][]> bx = StudyPyramid.bands(x[n], LEVELS, kernel);
            List<double[][][]> by = StudyPyramid.bands(y[n], LEVELS, kernel);
            for (int j = 0; j <= LEVELS; j++) {
                NDArray d = swd.distance(batch(new double[][][][] {bx.get(j)}), batch(new double[][][][] {by.get(j)}));
                out[n] += Math.pow(4, j) * values(d)[0];
            }
        }
        return out;
    }

    private static NDArray batch(double[][][][] a) {
        return StudyPyramid.batch(manager, a);
    }

    private static double[] values(NDArray d) {
        return d.toType(DataType.FLOAT64, false).toDoubleArray();
    }
}
