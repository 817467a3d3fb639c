package org.perceptuallab.host;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A plab command line run in a JVM of its own, then the threads of that process (Java's and native ones, as
 * the kernel counts them) printed as {@code threads=N}: what a thread pool created stays counted here.
 */
public final class ThreadCount {
    private ThreadCount() {
    }

    public static void main(String[] args) throws Exception {
        PlabRun run = PlabRun.of(args);
        System.out.println("exit=" + run.exit());
        System.out.println("err=" + run.err().replace('\n', ' '));
        String status = Files.readString(Path.of("/proc/self/status"));
        System.out.println(status.lines().filter(l -> l.startsWith("Threads:")).findFirst().orElseThrow()
                .replaceFirst("Threads:\\s*", "threads="));
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
