package org.perceptuallab.host;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Keeps the memory of freed tensors inside the process. glibc hands every block of 32 MiB or more
 * straight back to the operating system (mmap) and trims the heap's free top, so each optimisation step
 * page-faults its largest activations in again (an 8x64x128x128 float map is 32 MiB): about a tenth of a
 * VGG step on the CPU. With mmap off and trimming at 2 GiB, freed blocks are reused instead; the resident
 * size then stays at its high-water mark, which a long optimisation loop reaches in its first steps.
 */
final class NativeHeap {
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_MMAP_MAX = -4;
    private static boolean applied;

    private NativeHeap() {
    }

    /** Applies the policy once per process on Linux with glibc; elsewhere, or if it fails, does nothing. */
    static synchronized void retainFreedMemory() {
        if (applied || !Platform.isLinux()) {
            return;
        }
        applied = true;
        try {
            CLibrary c = Native.load("c", CLibrary.class);
            c.mallopt(M_MMAP_MAX, 0);
            c.mallopt(M_TRIM_THRESHOLD, Integer.MAX_VALUE);
        } catch (LinkageError e) {
            // not glibc (musl has no mallopt): keep the allocator's defaults
        }
    }

    /** The part of the C library used here. */
    private interface CLibrary extends Library {
        int mallopt(int param, int value);
    }
}
