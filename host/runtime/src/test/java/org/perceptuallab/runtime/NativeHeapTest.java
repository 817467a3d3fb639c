package org.perceptuallab.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The allocator policy reaches glibc on the Linux machines the lab runs on. */
class NativeHeapTest {

    @Test
    void glibcAcceptsThePolicy() {
        assumeTrue(Platform.isLinux() && Files.exists(Path.of("/lib/x86_64-linux-gnu/libc.so.6")),
                "needs Linux with glibc");
        assertThat(NativeHeap.retainFreedMemory()).isTrue();
        assertThat(NativeHeap.retainFreedMemory()).as("idempotent").isTrue();
    }
}
