package org.perceptuallab.api;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A cell's state between runs, for experiments that train for long and must survive a kill. The folder
 * belongs to one cell (one experiment, loss, parameters and seed) and survives reruns of it: the host
 * wipes it only when the cell has finished and is run anew ({@code --retry-failed} of a failed cell keeps
 * it, so a failure after a checkpoint resumes too).
 */
public interface CellState {

    /** The cell's state folder; exists. */
    Path dir();

    /** True when an earlier run of this cell left state here: the experiment should continue from it. */
    boolean resuming();

    /** How a checkpoint's bytes are written. */
    @FunctionalInterface
    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code name} in the state folder atomically: the bytes go to a temporary file, are forced to
     * disk, and replace the old file in one rename, so a kill leaves the old checkpoint or the new one.
     *
     * @return the file written
     */
    Path write(String name, Writer writer) throws IOException;

    /** The file {@code name} when an earlier write left it. */
    Optional<Path> find(String name);

    /** The metrics sink of this cell. */
    MetricsSink metrics();
}
