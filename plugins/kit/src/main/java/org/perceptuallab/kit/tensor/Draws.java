package org.perceptuallab.kit.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/**
 * A seeded stream of random arrays, drawn on the JVM so that a seed gives the same numbers on every
 * device and engine. Successive calls continue the stream (a loss that redraws per call stays
 * reproducible from its seed). Arrays are engine-owned ({@link Ops#owned}).
 */
public final class Draws {
    private final Random random;

    public Draws(long seed) {
        this.random = new Random(seed);
    }

    /** Standard-normal float32 draws. */
    public synchronized NDArray normal(NDManager manager, Shape shape) {
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return Ops.owned(manager.create(v, shape));
    }

    /** Uniform float32 draws in [lo, hi). */
    public synchronized NDArray uniform(NDManager manager, Shape shape, double lo, double hi) {
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (lo + (hi - lo) * random.nextDouble());
        }
        return Ops.owned(manager.create(v, shape));
    }

    /** The seed of a new stream, drawn from this one: a loss's one-draw view takes its draw from it. */
    public synchronized long nextSeed() {
        return random.nextLong();
    }

    /** The next raw integer in [0, bound), for index sampling. */
    public synchronized int nextInt(int bound) {
        return random.nextInt(bound);
    }
}
