package org.perceptuallab.kit.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.io.ReadBudget;

/**
 * What every reader fuzz property shares: seed files mutated as a damaged or hostile copy would be (bit flips,
 * bytes set to boundary values, 4- and 8-byte fields set to boundary integers, truncation, inserted and
 * repeated runs), small read budgets so that a mutation asking for much memory is refused rather than served,
 * and the property itself: a read succeeds or throws a {@link PlabException}, nothing else, and takes little
 * heap.
 */
final class Mutations {
    /** The budgets under fuzzing: small, so that what passes them is cheap and what needs more is refused. */
    static final long TENSOR_ELEMENTS = 1 << 20;
    static final long IMAGE_PIXELS = 1 << 20;
    static final long ZIP_ENTRY_BYTES = 8 << 20;
    static final long FILE_BYTES = 16 << 20;
    /** The heap one read may take: the budgets' worth with room for decoders' own buffers. */
    private static final long HEAP_PER_READ = 96L << 20;
    private static final long[] BOUNDARIES = {0, 1, -1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, Integer.MAX_VALUE,
        Integer.MIN_VALUE, 0xffffffffL, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 31, 1L << 32, 20000, 1 << 28};

    private Mutations() {
    }

    /** Sets the fuzzing budgets. */
    static void smallBudgets() {
        System.setProperty(ReadBudget.Limit.TENSOR_ELEMENTS.property(), Long.toString(TENSOR_ELEMENTS));
        System.setProperty(ReadBudget.Limit.IMAGE_PIXELS.property(), Long.toString(IMAGE_PIXELS));
        System.setProperty(ReadBudget.Limit.ZIP_ENTRY_BYTES.property(), Long.toString(ZIP_ENTRY_BYTES));
        System.setProperty(ReadBudget.Limit.FILE_BYTES.property(), Long.toString(FILE_BYTES));
    }

    /** Restores the default budgets. */
    static void defaultBudgets() {
        for (ReadBudget.Limit limit : ReadBudget.Limit.values()) {
            System.clearProperty(limit.property());
        }
    }

    /** {@code seed} with one to eight mutations drawn from {@code draw}. */
    static byte[] mutate(byte[] seed, long draw) {
        Random random = new Random(draw);
        byte[] b = seed.clone();
        int count = 1 + random.nextInt(8);
        for (int i = 0; i < count && b.length > 0; i++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(7)) {
                case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> b[at] = (byte) BOUNDARIES[random.nextInt(6)];
                case 2 -> field(b, at, 4, random);
                case 3 -> field(b, at, 8, random);
                case 4 -> b = Arrays.copyOf(b, at);
                case 5 -> {
                    byte[] noise = new byte[1 + random.nextInt(16)];
                    random.nextBytes(noise);
                    b = splice(b, at, noise);
                }
                default -> b = splice(b, at, Arrays.copyOfRange(b, at, Math.min(b.length, at + 1 + random.nextInt(64))));
            }
        }
        return b;
    }

    private static void field(byte[] b, int at, int width, Random random) {
        if (at + width > b.length) {
            return;
        }
        ByteBuffer buffer = ByteBuffer.wrap(b).order(random.nextBoolean() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        long value = BOUNDARIES[random.nextInt(BOUNDARIES.length)];
        if (width == 4) {
            buffer.putInt(at, (int) value);
        } else {
            buffer.putLong(at, value);
        }
    }

    private static byte[] splice(byte[] b, int at, byte[] insert) {
        byte[] out = new byte[b.length + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at, out, at + insert.length, b.length - at);
        return out;
    }

    /** Writes {@code bytes} to {@code file}. */
    static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The property: {@code read} succeeds or throws a PlabException, and takes little heap. */
    static void readsOrRefuses(Runnable read) {
        long before = allocatedBytes();
        try {
            read.run();
        } catch (PlabException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
        assertThat(allocatedBytes() - before).as("heap taken by one read").isLessThan(HEAP_PER_READ);
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
