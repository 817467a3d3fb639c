package org.perceptuallab.plugins.generative;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.perceptuallab.kit.io.Checkpoint;

/**
 * What the training loop trains: GLO (a code per training image and a generator) or an autoencoder (an
 * encoder and a generator). Every tensor lives in the manager the model was made in, which releases them.
 */
interface GenerativeModel {

    /** Per-image distances (N) between reconstructions and images, differentiable in the reconstructions. */
    @FunctionalInterface
    interface Objective {
        NDArray distances(NDArray reconstructions, NDArray images);
    }

    /** The generator, codes (N, L) to images. */
    Network generator();

    /**
     * Training reconstructions of the images {@code images} (N, C, S, S), the training images at
     * {@code indices} (N, int64), differentiable in the trained tensors.
     */
    NDArray reconstruct(NDArray indices, NDArray images);

    /** One optimiser step of every trained tensor with its gradient, at the learning rates of {@code epoch}. */
    void step(int epoch, NDManager scope);

    /** Every tensor a training step reads or updates (attached to the step's scope while it runs). */
    List<NDArray> live();

    /**
     * What a checkpoint holds of the model: its tensors and optimiser moments, by name; what is made for the
     * checkpoint goes to {@code scope}.
     */
    Map<String, NDArray> state(NDManager scope);

    /** The optimisers' step counts, for a checkpoint's meta. */
    ObjectNode optimiserSteps();

    /** Continues from a checkpoint's tensors and optimiser step counts. */
    void restore(Checkpoint checkpoint);

    /**
     * The codes (N, L) of training images (at {@code indices}, pixels {@code images}) as the model stands,
     * without a gradient, in {@code into}: GLO's learnt codes, the encoder's codes in evaluation mode.
     */
    NDArray trainingCodes(NDArray indices, NDArray images, NDManager into);

    /**
     * Codes (N, L) for images the model never trained on, in {@code into}: the autoencoder encodes them; GLO
     * optimises their codes under {@code objective} with the generator frozen.
     */
    NDArray heldOutCodes(NDArray images, Objective objective, NDManager into);
}
