package org.perceptuallab.kit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.LossFactory;
import org.perceptuallab.api.Params;
import org.perceptuallab.kit.tensor.InjectedDraws;

/**
 * The bound B on |x| and |y| that the losses built with a {@link LossContext} receive: 1 (images in
 * [-1, 1]) unless the context declares another by implementing this interface. A composite that hands its
 * inner losses transformed images, such as Laplacian bands (a difference of two images, in [-2, 2]), builds
 * them with {@link #widened} so that the catalogue checks their inputs against the range they really take,
 * and the inner losses see the values the formula gives, unscaled. Not part of the api, like
 * {@link InjectedDraws}.
 */
public interface InputBound {
    /** The bound of images, [-1, 1]. */
    double IMAGES = 1;

    /** The bound B on the inputs' absolute values. */
    double inputBound();

    /** The bound {@code context} declares; {@link #IMAGES} where it declares none. */
    static double of(LossContext context) {
        return context instanceof InputBound bound ? bound.inputBound() : IMAGES;
    }

    /**
     * {@code context} declaring {@code factor} times its own bound, for inner losses whose inputs may reach
     * that far; everything else (manager, seed, factory, weights, injected draws) is the context's.
     */
    static LossContext widened(LossContext context, double factor) {
        return new Widened(context, factor * of(context));
    }

    /** A context that forwards everything to {@code base} but declares its own input bound. */
    record Widened(LossContext base, double inputBound) implements LossContext, InputBound, InjectedDraws {
        @Override
        public NDManager manager() {
            return base.manager();
        }

        @Override
        public long seed() {
            return base.seed();
        }

        @Override
        public long seed(Params params) {
            return base.seed(params);
        }

        @Override
        public LossFactory losses() {
            return base.losses();
        }

        @Override
        public Optional<Path> weightsDir() {
            return base.weightsDir();
        }

        @Override
        public Map<String, NDArray> draws() {
            return InjectedDraws.of(base);
        }
    }
}
