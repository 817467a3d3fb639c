package org.perceptuallab.plugins.pixel;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.kit.Examples;
import org.perceptuallab.kit.SimpleLoss;
import org.perceptuallab.kit.tensor.Ops;
import org.pf4j.Extension;

/**
 * PSNR as a distance: d = 10 log10(1 + MSE / eps) with eps = 10^(-maxDb / 10), MSE the mean squared difference
 * of the images mapped to [0, 1] (peak 1). That is maxDb - PSNR(MSE + eps): the PSNR deficit below a ceiling of
 * maxDb decibels. PSNR itself is infinite at x = y and grows as images get closer, so neither it nor its
 * negative is a distance; this form is 0 at x = y, orders pairs as PSNR does (it is increasing in the MSE),
 * equals maxDb - PSNR to within 10 log10(1 + eps / MSE) dB (4e-5 dB at PSNR 50 under the default), and has a
 * finite gradient everywhere. PSNR is recovered exactly as maxDb - 10 log10(10^(d / 10) - 1).
 */
@Extension
public final class Psnr implements LossFamily {
    private static final Param<Double> MAX_DB = Param.real("maxDb", 100, 1, 200,
            "the PSNR ceiling in dB: d = 10 log10(1 + MSE / 10^(-maxDb/10)), about maxDb - PSNR below it");

    @Override
    public String id() {
        return "psnr";
    }

    @Override
    public String summary() {
        return "maxDb - PSNR, as 10 log10(1 + MSE / 10^(-maxDb/10)) on images in [0, 1] (0 at x = y)";
    }

    @Override
    public List<ObjectNode> examples() {
        return Examples.of("{}", "{\"maxDb\": 40}");
    }

    @Override
    public ParamSpec params() {
        return ParamSpec.of(MAX_DB);
    }

    @Override
    public Loss create(Params params, LossContext context) {
        // MSE on [0, 1] is a quarter of that on [-1, 1].
        double perUnitMse = 0.25 / Math.pow(10, -params.get(MAX_DB) / 10);
        return SimpleLoss.symmetric(id(), params, (x, y) -> Ops.times(
                Ops.times(Ops.meanPerSample(x.sub(y).square()), perUnitMse).add(1).log(), 10 / Math.log(10)));
    }
}
