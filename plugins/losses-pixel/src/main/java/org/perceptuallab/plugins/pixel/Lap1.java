package org.perceptuallab.plugins.pixel;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.kit.tensor.Ops;
import org.pf4j.Extension;

/**
 * Laplacian-pyramid L1 (Bojanowski et al., GLO) plus the plain L2, as the reference computes it: band j
 * weighted by 4^j, and the reference's blur kernel k[i][j] proportional to g(i) + g(j). The {@code laplacian}
 * composite over {@code l1} (weighting 4^j) is the same pyramid term on the bands of x and y.
 */
@Extension
public final class Lap1 implements LossFamily {
    private static final Param<Integer> LEVELS = LaplacianPyramid.LEVELS;
    private static final Param<Integer> KERNEL_SIZE = LaplacianPyramid.KERNEL_SIZE;
    private static final Param<Double> SIGMA = LaplacianPyramid.sigma(2.0);
    private static final LaplacianPyramid.Weighting WEIGHTING = LaplacianPyramid.Weighting.FOUR_POW_J;

    @Override
    public String id() {
        return "lap1";
    }

    @Override
    public String summary() {
        return "Laplacian-pyramid L1 (band j weighted 4^j) plus L2";
    }

    @Override
    public ParamSpec params() {
        return ParamSpec.of(LEVELS, KERNEL_SIZE, SIGMA);
    }

    @Override
    public Loss create(Params params, LossContext context) {
        LaplacianPyramid pyramid = new LaplacianPyramid(id(), params.get(LEVELS), params.get(KERNEL_SIZE),
                params.get(SIGMA), context.manager());
        LossSpec spec = new LossSpec(id(), params.json());
        return new Loss() {
            @Override
            public LossSpec spec() {
                return spec;
            }

            @Override
            public boolean symmetric() {
                return true;
            }

            /** The bands of x - y, which are the differences of the bands of x and y: the pyramid is linear. */
            @Override
            public NDArray distance(NDArray x, NDArray y) {
                List<NDArray> bands = pyramid.bands(x.sub(y));
                NDArray total = Ops.meanPerSample(x.sub(y).square());
                for (int j = 0; j < bands.size(); j++) {
                    double weight = WEIGHTING.weight(j, pyramid.levels());
                    total = total.add(Ops.times(Ops.meanPerSample(bands.get(j).abs()), weight));
                }
                return total;
            }

            @Override
            public void close() {
                pyramid.close();
            }
        };
    }
}
