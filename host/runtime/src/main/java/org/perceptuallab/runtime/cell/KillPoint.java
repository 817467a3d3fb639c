package org.perceptuallab.runtime.cell;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.perceptuallab.api.Progress;

/**
 * Where a kill-and-resume test stops a cell, so that its kill lands at a known step rather than wherever a
 * poll happens to catch the run. Off unless the system property {@value #STEPS} is set, which users never
 * do: then, once the cells of this process have counted that many progress steps in all, the step that
 * reaches it writes the file named by {@value #MARKER} and parks until the process that started this one
 * ends (the matrix a cell worker serves: the test kills it), and then halts as a kill would.
 */
final class KillPoint {
    /** Progress steps, summed over the process's cells, after which it parks. */
    static final String STEPS = "plab.test.parkAfterSteps";
    /** The file written when parked, which the test waits for before it kills. */
    static final String MARKER = "plab.test.parkedMarker";
    private static final long AT = Long.getLong(STEPS, -1);
    private static final AtomicLong DONE = new AtomicLong();

    private KillPoint() {
    }

    /** {@code progress} itself, or, under {@value #STEPS}, the same progress parking at that step. */
    static Progress around(Progress progress) {
        if (AT < 0) {
            return progress;
        }
        return new Progress() {
            @Override
            public void step(long n) {
                progress.step(n);
                long done = DONE.addAndGet(n);
                if (done >= AT && done - n < AT) {
                    park();
                }
            }

            @Override
            public void status(String text) {
                progress.status(text);
            }

            @Override
            public void close() {
                progress.close();
            }
        };
    }

    private static void park() {
        try {
            Files.writeString(Path.of(System.getProperty(MARKER)), ProcessHandle.current().pid() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().join());
        Runtime.getRuntime().halt(137);
    }
}
