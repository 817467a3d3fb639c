package org.perceptuallab.testkit;

import java.util.List;
import java.util.Random;

/**
 * Seeded fuzzing on plain JUnit: a property runs for {@link #tries()} tries, each with its own
 * {@link Random} derived from the property's seed and the try's number, so every build runs the same tries
 * and a failure names the try that reproduces it. {@code -Dplab.fuzz.tries=N} (or {@code -Pfuzz-long}) runs
 * more; {@code -Dplab.fuzz.seconds=S} runs each property for S seconds instead, however many tries that takes,
 * and prints how many it ran.
 */
public final class Fuzz {
    /** System property: tries per property. */
    public static final String TRIES = "plab.fuzz.tries";
    /** System property: seconds per property; when set, it replaces the count of tries. */
    public static final String SECONDS = "plab.fuzz.seconds";
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

    /** The random source of try {@code number} of the property seeded {@code seed}: to replay what a run found. */
    public static Random tryRandom(long seed, long number) {
        return new Random(seed * 1_000_003L + number);
    }

    /** Runs {@code property} for every try; the first failure ends the run naming the try and its seed. */
    public static void run(long seed, Try property) {
        long seconds = Long.getLong(SECONDS, 0L);
        long tries = seconds > 0 ? Long.MAX_VALUE : tries();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        long i = 0;
        for (; i < tries && (seconds <= 0 || System.nanoTime() - deadline < 0); i++) {
            long trySeed = seed * 1_000_003L + i;
            try {
                property.run(tryRandom(seed, i));
            } catch (Exception | Error e) {
                throw new AssertionError("try " + i + " (new Random(" + trySeed + ")) failed: " + e, e);
            }
        }
        if (seconds > 0) {
            System.out.printf("fuzz: seed %d ran %d tries in %d s, none failed%n", seed, i, seconds);
        }
    }

    /** One of {@code choices}, drawn from {@code random}. */
    public static <T> T pick(Random random, List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }
}
