package org.perceptuallab.runtime;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Keeps the memory of freed tensors in the process for the next step. By default glibc maps each block of
 * 32 MiB or more afresh and unmaps it when freed, and trims the free top of its heaps, so an optimisation
 * loop page-faults its largest activations in again at every step (an 8x64x128x128 float map is 32 MiB).
 * With mmap off for large blocks, trimming at 2 GiB and a 64 MiB top pad, most freed blocks are reused:
 * {@code vgg@8x3x128} runs about a tenth faster. glibc still maps afresh the blocks that fit in none of a
 * thread's 64 MiB heaps. Resident memory stays near its high-water mark instead of following each step.
 * The host applies this when it configures the engine; a program using the kit directly can call it first.
 */
public final class NativeHeap {
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_TOP_PAD = -2;
    private static final int M_MMAP_MAX = -4;
    private static Boolean applied;

    private NativeHeap() {
    }

    /**
     * Applies the policy once per process on Linux with glibc.
     *
     * @return whether the allocator accepted it (false elsewhere, e.g. musl, which has no mallopt)
     */
    public static synchronized boolean retainFreedMemory() {
        if (applied == null) {
            applied = Platform.isLinux() && apply();
        }
        return applied;
    }

    private static boolean apply() {
        try {
            CLibrary c = Native.load("c", CLibrary.class);
            return c.mallopt(M_MMAP_MAX, 0) == 1
                    & c.mallopt(M_TRIM_THRESHOLD, Integer.MAX_VALUE) == 1
                    & c.mallopt(M_TOP_PAD, 64 << 20) == 1;
        } catch (LinkageError e) {
            return false;
        }
    }

    /** The part of the C library used here. */
    private interface CLibrary extends Library {
        int mallopt(int param, int value);
    }
}
