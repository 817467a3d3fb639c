package org.perceptuallab.testkit;

import java.util.List;
import java.util.Random;

/**
 * Seeded fuzzing on plain JUnit: a property runs for {@link #tries()} tries, each with its own
 * {@link Random} derived from the property's seed and the try's number, so every build runs the same tries
 * and a failure names the try that reproduces it. {@code -Dplab.fuzz.tries=N} (or {@code -Pfuzz-long}) runs
 * more.
 */
public final class Fuzz {
    /** System property: tries per property. */
    public static final String TRIES = "plab.fuzz.tries";
    private static final int DEFAULT_TRIES = 200;

    private Fuzz() {
    }

    /** One try of a property, given its random source. */
    @FunctionalInterface
    public interface Try {
        void run(Random random) throws Exception;
    }

    /** Tries per property: {@value #TRIES}, else 200. */
    public static int tries() {
        return Integer.getInteger(TRIES, DEFAULT_TRIES);
    }

    /** Runs {@code property} for every try; the first failure ends the run naming the try and its seed. */
    public static void run(long seed, Try property) {
        int tries = tries();
        for (int i = 0; i < tries; i++) {
            long trySeed = seed * 1_000_003L + i;
            try {
                property.run(new Random(trySeed));
            } catch (Exception | Error e) {
                throw new AssertionError("try " + i + " of " + tries + " (new Random(" + trySeed + ")) failed: "
                        + e, e);
            }
        }
    }

    /** One of {@code choices}, drawn from {@code random}. */
    public static <T> T pick(Random random, List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }
}
