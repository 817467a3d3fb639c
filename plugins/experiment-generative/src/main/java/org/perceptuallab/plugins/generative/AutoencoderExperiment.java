package org.perceptuallab.plugins.generative;

import ai.djl.ndarray.NDManager;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.kit.tensor.Draws;
import org.pf4j.Extension;

/** A DCGAN autoencoder trained with the loss under study on D(G(E(x)), x), then samples of a Gaussian fit. */
@Extension(points = Experiment.class)
public final class AutoencoderExperiment extends GenerativeExperiment {
    private static final Param<Double> LR = networkLr(0.01, "encoder and generator (the reference: 0.01; the"
            + " default was 0.001 before the reference's networks became the default)");
    private static final ParamSpec PARAMS = spec(LR);

    @Override
    public String id() {
        return "autoencoder";
    }

    @Override
    public String summary() {
        return "a DCGAN encoder and generator trained together on D(G(E(x)), x) under the loss";
    }

    @Override
    public ParamSpec params() {
        return PARAMS;
    }

    @Override
    Settings settings(Params p) {
        return Settings.of(p, LR, null);
    }

    @Override
    GenerativeModel create(NDManager owner, Settings settings, TransposedConv transposed, Draws draws, ImageSet data,
                           Params params, long seed) {
        return new Autoencoder(owner, settings, transposed, draws);
    }
}
