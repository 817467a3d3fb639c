package org.perceptuallab.plugins.pixel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.tensor.Ops;
import org.perceptuallab.kit.tensor.Pyramids;
import org.pf4j.Extension;

/**
 * Laplacian-pyramid L1 (Bojanowski et al., GLO) plus the plain L2, as the reference computes it: band j
 * weighted by 4^j, and the reference's blur kernel k[i][j] proportional to g(i) + g(j).
 */
@Extension
public final class Lap1 implements LossFamily {
    private static final Param<Integer> LEVELS = Param.integer("levels", 2, 1, 10,
            "number of band-pass levels (a residual band is added)");
    private static final Param<Integer> KERNEL_SIZE = Param.integer("kernelSize", 5, 1, 31,
            "side of the blur kernel, odd");
    private static final Param<Double> SIGMA = Param.real("sigma", 2.0, 1e-3, 100, "width of the blur kernel");

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
        int size = params.get(KERNEL_SIZE);
        if (size % 2 == 0) {
            throw new PlabException("loss 'lap1': parameter 'kernelSize' must be odd, got " + size);
        }
        int levels = params.get(LEVELS);
        NDArray kernel = context.manager().create(kernel(size, params.get(SIGMA)), new Shape(1, 1, size, size));
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

            @Override
            public NDArray distance(NDArray x, NDArray y) {
                long side = Math.min(x.getShape().get(2), x.getShape().get(3));
                if (side >> levels < 1) {
                    throw new PlabException("loss 'lap1': " + levels + " levels need images of at least "
                            + (1 << levels) + " pixels a side, got " + side);
                }
                List<NDArray> bands = Pyramids.laplacian(x.sub(y), levels, kernel);
                NDArray total = Ops.meanPerSample(x.sub(y).square());
                for (int j = 0; j < bands.size(); j++) {
                    total = total.add(Ops.times(Ops.meanPerSample(bands.get(j).abs()), Math.pow(4, j)));
                }
                return total;
            }

            @Override
            public void close() {
                kernel.close();
            }
        };
    }

    /** k[i][j] proportional to g(i) + g(j), g(t) = exp(-(t - c)^2 / (2 sigma^2))^2, normalised to sum 1. */
    static float[] kernel(int size, double sigma) {
        double c = size / 2;
        double[] g = new double[size];
        for (int t = 0; t < size; t++) {
            double e = Math.exp(-(t - c) * (t - c) / (2 * sigma * sigma));
            g[t] = e * e;
        }
        double[] k = new double[size * size];
        double sum = 0;
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                k[i * size + j] = g[i] + g[j];
                sum += k[i * size + j];
            }
        }
        float[] out = new float[k.length];
        for (int i = 0; i < k.length; i++) {
            out[i] = (float) (k[i] / sum);
        }
        return out;
    }
}
