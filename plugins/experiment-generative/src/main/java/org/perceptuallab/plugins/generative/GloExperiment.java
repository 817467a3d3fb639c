package org.perceptuallab.plugins.generative;

import ai.djl.ndarray.NDManager;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.kit.tensor.Draws;
import org.pf4j.Extension;

/** GLO trained with the loss under study: codes and generator by Adam, then samples of a Gaussian fit. */
@Extension(points = Experiment.class)
public final class GloExperiment extends GenerativeExperiment {
    private static final Param<Double> LR_CODES = Param.real("lrCodes", 0.01, 1e-8, 10,
            "Adam learning rate of the codes (the reference: 0.01)");
    private static final Param<Double> LR = networkLr(0.001, "the generator (the reference: 0.001, its lr 0.01 x"
            + " generator_lr_factor 0.1)");
    private static final Param<Boolean> SPHERE = Param.bool("sphere", false,
            "project every code onto the unit sphere after each step (the reference never does: its force_norm"
            + " is set but never called)");
    private static final Param<Integer> CODE_STEPS = Param.integer("codeSteps", 1, 1, 1_000,
            "code steps per generator step (the reference's num_z_steps: 1); the generator's gradients add up"
            + " over the batches in between");
    private static final Param<Integer> HELD_OUT_STEPS = Param.integer("heldOutSteps", 100, 0, 1_000_000,
            "Adam steps fitting the codes of held-out images,"
            + " the generator frozen");
    private static final ParamSpec PARAMS = spec(LR, LR_CODES, CODE_STEPS, SPHERE, HELD_OUT_STEPS);

    @Override
    public String id() {
        return "glo";
    }

    @Override
    public String summary() {
        return "generative latent optimisation: a DCGAN generator and one code per image trained under the loss";
    }

    @Override
    public ParamSpec params() {
        return PARAMS;
    }

    @Override
    Settings settings(Params p) {
        return Settings.of(p, LR, new Settings.Codes(p.get(LR_CODES), p.get(SPHERE), p.get(CODE_STEPS)));
    }

    @Override
    GenerativeModel create(NDManager owner, Settings settings, TransposedConv transposed, Draws draws, ImageSet data,
                           Params params, long seed) {
        return new Glo(owner, settings, transposed, draws, data.trainCount(), params.get(HELD_OUT_STEPS),
                Evaluation.heldOutSeed(seed));
    }
}
