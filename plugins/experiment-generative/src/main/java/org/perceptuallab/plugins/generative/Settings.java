package org.perceptuallab.plugins.generative;

import org.perceptuallab.api.Param;
import org.perceptuallab.api.Params;
import org.perceptuallab.kit.optim.StepDecay;

/**
 * A cell's training settings, read once from its parameters.
 *
 * @param size image side
 * @param channels 1 (grey) or 3
 * @param latent code length
 * @param width the generator's last hidden channels (the reference: 64)
 * @param layout the networks' channel layout and encoder activations
 * @param init the networks' initial weights
 * @param epochs epochs to train
 * @param batch images per step
 * @param network the networks' learning rate schedule (per epoch)
 * @param codes the GLO codes' learning rate schedule (per epoch); null for the autoencoder
 * @param sphere whether GLO codes are projected onto the unit sphere
 * @param codeSteps GLO code steps per generator step (1 for the autoencoder)
 * @param checkpointEvery steps between mid-epoch checkpoints, 0 for epoch ends only
 */
record Settings(int size, int channels, int latent, int width, Network.Layout layout, Init init, int epochs,
                int batch, StepDecay network, StepDecay codes, boolean sphere, int codeSteps, int checkpointEvery) {
    /** The reference betas, for networks and codes alike. */
    static final double BETA1 = 0.5;
    static final double BETA2 = 0.999;

    /** GLO's own settings: the codes' learning rate, the sphere, code steps per generator step. */
    record Codes(double lr, boolean sphere, int steps) {
    }

    /** The settings of a cell: {@code lr} is the experiment's networks' rate, {@code codes} null for the autoencoder. */
    static Settings of(Params p, Param<Double> lr, Codes codes) {
        double decay = p.get(GenerativeExperiment.LR_DECAY);
        int every = p.get(GenerativeExperiment.LR_EVERY);
        return new Settings(p.get(GenerativeExperiment.SIZE), p.get(GenerativeExperiment.GRAY) ? 1 : 3,
                p.get(GenerativeExperiment.LATENT), p.get(GenerativeExperiment.WIDTH),
                Network.Layout.named(p.get(GenerativeExperiment.LAYOUT)), Init.named(p.get(GenerativeExperiment.INIT)),
                p.get(GenerativeExperiment.EPOCHS), p.get(GenerativeExperiment.BATCH),
                new StepDecay(p.get(lr), decay, every),
                codes == null ? null : new StepDecay(codes.lr(), decay, every), codes != null && codes.sphere(),
                codes == null ? 1 : codes.steps(), p.get(GenerativeExperiment.CHECKPOINT_EVERY));
    }

    /** What the generator and encoder are built from. */
    Network.Design design() {
        return new Network.Design(latent, size, channels, width, layout, init);
    }
}
