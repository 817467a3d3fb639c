package org.perceptuallab.kit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's resident memory, for loops that must hold it flat (experiments stream it per epoch, tests
 * assert it).
 */
public final class ResidentMemory {
    private ResidentMemory() {
    }

    /** VmRSS of this process in MiB, or -1 where the system does not say (off Linux). */
    public static long mib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
