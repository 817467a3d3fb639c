package org.perceptuallab.plugins.patch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.Map;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.tensor.Draws;

/**
 * The random constants of a random-feature loss (filters, projections), per channel count since the draws'
 * shapes depend on it. Drawn from the loss's seed: the fixed set is the seed's first draw; with redraw every
 * call draws the next ones from the seed's stream, so a run is reproducible. Draws injected through the
 * context (the golden cases give the reference's) replace the seeded ones and never change.
 */
final class SeededConstants implements AutoCloseable {

    /** Turns draws into the loss's constants for images of {@code channels} channels, in {@code manager}. */
    interface Maker {
        NDList make(Draws draws, NDManager manager, long channels);
    }

    private final long seed;
    private final boolean redraw;
    private final NDManager home;
    private final Maker maker;
    private final Draws stream;
    private final Map<Long, NDList> fixed = new HashMap<>();

    /**
     * @param redraw whether each call draws new constants (ignored by the caller when all draws are injected)
     * @param home the loss's manager, owner of the fixed constants
     */
    SeededConstants(long seed, boolean redraw, NDManager home, Maker maker) {
        this.seed = seed;
        this.redraw = redraw;
        this.home = home;
        this.maker = maker;
        this.stream = new Draws(seed);
    }

    /** Whether every call draws anew (the loss is then not a fixed function of x and y). */
    boolean redraws() {
        return redraw;
    }

    /**
     * Constants fixed for all calls, drawn from a stream seeded by the next seed of this one's: the draw of
     * a loss's {@link org.perceptuallab.api.Loss#oneDraw one-draw view}. Closing it releases its own arrays.
     */
    synchronized SeededConstants oneDraw() {
        return new SeededConstants(stream.nextSeed(), false, home, maker);
    }

    /** The constants for one call: new ones in {@code scope} under redraw, else the fixed ones. */
    synchronized NDList forCall(NDManager scope, long channels) {
        return redraw ? maker.make(stream, scope, channels) : fixed(channels);
    }

    /** The fixed constants: the seed's first draw (feature maps always use these). */
    synchronized NDList fixed(long channels) {
        return fixed.computeIfAbsent(channels, c -> {
            try (NDManager scratch = home.newSubManager()) {
                NDList made = maker.make(new Draws(seed), scratch, c);
                made.attach(home);
                return made;
            }
        });
    }

    /**
     * An injected draw copied into {@code manager} as float32, or null when none is given.
     *
     * @throws PlabException when its shape is not {@code expected}
     */
    static NDArray injected(Map<String, NDArray> draws, String name, Shape expected, NDManager manager,
                            String lossId) {
        NDArray given = draws.get(name);
        if (given == null) {
            return null;
        }
        if (!given.getShape().equals(expected)) {
            throw new PlabException("loss '" + lossId + "': injected draw '" + name + "' has shape "
                    + given.getShape() + " but this configuration and these images need " + expected);
        }
        NDArray copy = given.toType(DataType.FLOAT32, true);
        copy.attach(manager);
        return copy;
    }

    @Override
    public synchronized void close() {
        fixed.values().forEach(NDList::close);
        fixed.clear();
    }
}
