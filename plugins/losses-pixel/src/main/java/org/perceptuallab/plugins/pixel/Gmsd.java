package org.perceptuallab.plugins.pixel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.Examples;
import org.perceptuallab.kit.tensor.Ops;
import org.pf4j.Extension;

/**
 * Gradient magnitude similarity deviation (Xue, Zhang, Mou and Bovik 2014), already a distance (0 at x = y).
 * Images are mapped to [0, 1]; luminance Y = 0.299 R + 0.587 G + 0.114 B (a grey image is its own); Y is
 * average-pooled 2 x 2; m = |(h_x * Y, h_y * Y)| with the Prewitt filters h_x = [1 0 -1] / 3 on three rows
 * and h_y its transpose, zero padding keeping the size (the authors' code); GMS = (2 m_x m_y + c) /
 * (m_x^2 + m_y^2 + c); GMSD = the standard deviation of the GMS map, over its N positions with 1/N (the paper's
 * formula; the authors' MATLAB std2 divides by N - 1).
 */
@Extension
public final class Gmsd implements LossFamily {
    private static final Param<Double> C = Param.real("c", 170.0 / (255 * 255), 1e-9, 1,
            "stabiliser of the similarity: 170 / 255^2 (the paper's 170 for 8-bit images) on [0, 1]");
    private static final float[] LUMA = {0.299f, 0.587f, 0.114f};
    private static final float[] PREWITT = {
        1 / 3f, 0, -1 / 3f, 1 / 3f, 0, -1 / 3f, 1 / 3f, 0, -1 / 3f,
        1 / 3f, 1 / 3f, 1 / 3f, 0, 0, 0, -1 / 3f, -1 / 3f, -1 / 3f};

    @Override
    public String id() {
        return "gmsd";
    }

    @Override
    public String summary() {
        return "GMSD: standard deviation of the gradient magnitude similarity map (Prewitt, luminance, 2x pooled)";
    }

    @Override
    public List<ObjectNode> examples() {
        return Examples.of("{}");
    }

    @Override
    public ParamSpec params() {
        return ParamSpec.of(C);
    }

    @Override
    public Loss create(Params params, LossContext context) {
        return new GmsdLoss(new LossSpec(id(), params.json()), params.get(C),
                context.manager().create(LUMA, new Shape(1, 3, 1, 1)),
                context.manager().create(PREWITT, new Shape(2, 1, 3, 3)));
    }

    private record GmsdLoss(LossSpec spec, double c, NDArray luma, NDArray prewitt) implements Loss {
        @Override
        public boolean symmetric() {
            return true;
        }

        @Override
        public NDArray distance(NDArray x, NDArray y) {
            Shape s = x.getShape();
            if (s.get(1) != 1 && s.get(1) != 3) {
                throw new PlabException("loss 'gmsd': images have " + s.get(1) + " channels; it takes grey (1) or"
                        + " RGB (3) images");
            }
            if (s.get(2) < 2 || s.get(3) < 2) {
                throw new PlabException("loss 'gmsd': the image " + s.get(2) + "x" + s.get(3) + " is too small to"
                        + " pool 2 x 2; use images of at least 2x2");
            }
            NDArray bx = squaredGradient(x);
            NDArray by = squaredGradient(y);
            // 1 - GMS = (m_x - m_y)^2 / (m_x^2 + m_y^2 + c): exactly 0 where the magnitudes agree, and the
            // standard deviation of GMS is that of 1 - GMS.
            NDArray dissimilarity = PositivePower.of(bx, 0.5).sub(PositivePower.of(by, 0.5)).square()
                    .div(bx.add(by).add(c));
            NDArray flat = dissimilarity.reshape(s.get(0), -1);
            NDArray variance = flat.sub(flat.mean(new int[] {1}, true)).square().mean(new int[] {1});
            return PositivePower.of(variance, 0.5);
        }

        /** The squared Prewitt gradient magnitude of the pooled luminance, (N, 1, H / 2, W / 2). */
        private NDArray squaredGradient(NDArray images) {
            NDArray unit = Ops.times(images.add(1), 0.5);
            NDArray lum = unit.getShape().get(1) == 1 ? unit
                    : unit.mul(Ops.castLike(luma, unit)).sum(new int[] {1}, true);
            NDArray pooled = Ops.avgPool(lum, 2, 2);
            return Ops.conv2d(pooled, Ops.castLike(prewitt, pooled), null, 1, 1, 1).square()
                    .sum(new int[] {1}, true);
        }

        @Override
        public void close() {
            luma.close();
            prewitt.close();
        }
    }
}
