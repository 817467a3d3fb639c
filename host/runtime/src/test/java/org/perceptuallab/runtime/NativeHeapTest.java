package org.perceptuallab.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import org.junit.jupiter.api.Test;

/** The allocator policy reaches glibc on any Linux that has it, and is declined, not faked, on one that has not. */
class NativeHeapTest {

    @Test
    void theCLibraryAcceptsThePolicyExactlyWhenItIsGlibc() {
        assumeTrue(Platform.isLinux(), "skipped: the policy is for Linux's C library");
        boolean glibc;
        try {
            NativeLibrary.getInstance("c").getFunction("gnu_get_libc_version");
            glibc = true;
        } catch (UnsatisfiedLinkError notGlibc) {
            glibc = false;
        }
        assertThat(NativeHeap.retainFreedMemory()).as("glibc: " + glibc).isEqualTo(glibc);
        assertThat(NativeHeap.retainFreedMemory()).as("idempotent").isEqualTo(glibc);
    }
}
