package org.perceptuallab.plugins.generative;

import org.perceptuallab.api.Params;
import org.perceptuallab.kit.optim.StepDecay;

/**
 * A cell's training settings, read once from its parameters.
 *
 * @param size image side
 * @param channels 1 (grey) or 3
 * @param latent code length
 * @param width the generator's last hidden channels (the reference: 64)
 * @param epochs epochs to train
 * @param batch images per step
 * @param network the networks' learning rate schedule (per epoch)
 * @param codes the GLO codes' learning rate schedule (per epoch); null for the autoencoder
 * @param sphere whether GLO codes are projected onto the unit sphere
 * @param checkpointEvery steps between mid-epoch checkpoints, 0 for epoch ends only
 */
record Settings(int size, int channels, int latent, int width, int epochs, int batch, StepDecay network,
                StepDecay codes, boolean sphere, int checkpointEvery) {
    /** The reference betas, for networks and codes alike. */
    static final double BETA1 = 0.5;
    static final double BETA2 = 0.999;

    /** The settings of a cell; {@code codesLr} is GLO's codes' learning rate, null for the autoencoder. */
    static Settings of(Params p, Double codesLr, boolean sphere) {
        double decay = p.get(GenerativeExperiment.LR_DECAY);
        int every = p.get(GenerativeExperiment.LR_EVERY);
        return new Settings(p.get(GenerativeExperiment.SIZE), p.get(GenerativeExperiment.GRAY) ? 1 : 3,
                p.get(GenerativeExperiment.LATENT), p.get(GenerativeExperiment.WIDTH),
                p.get(GenerativeExperiment.EPOCHS), p.get(GenerativeExperiment.BATCH),
                new StepDecay(p.get(GenerativeExperiment.LR), decay, every),
                codesLr == null ? null : new StepDecay(codesLr, decay, every), sphere,
                p.get(GenerativeExperiment.CHECKPOINT_EVERY));
    }
}
