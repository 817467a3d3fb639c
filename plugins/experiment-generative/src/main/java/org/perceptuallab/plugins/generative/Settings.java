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

    static Settings of(Params p) {
        double decay = p.getDouble("lrDecay");
        int every = p.getInt("lrEvery");
        return new Settings(p.getInt("size"), p.getBoolean("gray") ? 1 : 3, p.getInt("latent"), p.getInt("width"),
                p.getInt("epochs"), p.getInt("batch"), new StepDecay(p.getDouble("lr"), decay, every),
                p.has("lrCodes") ? new StepDecay(p.getDouble("lrCodes"), decay, every) : null,
                p.has("sphere") && p.getBoolean("sphere"),
                p.getInt("checkpointEvery"));
    }
}
