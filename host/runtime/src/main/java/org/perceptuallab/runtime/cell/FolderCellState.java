package org.perceptuallab.runtime.cell;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.UUID;
import org.perceptuallab.api.CellState;
import org.perceptuallab.api.MetricsSink;
import org.perceptuallab.api.PlabException;

/**
 * A cell's state in a folder: checkpoints written atomically (temporary file, fsync, one rename) and the
 * metrics sink's {@link MetricsFile}. Whether the cell is resuming is decided when the folder is opened:
 * anything an earlier run left in it.
 */
public final class FolderCellState implements CellState, AutoCloseable {
    private static final String TEMPORARY = ".partial-";
    private final Path dir;
    private final boolean resuming;
    private final MetricsFile metrics;

    private FolderCellState(Path dir, boolean resuming) {
        this.dir = dir;
        this.resuming = resuming;
        this.metrics = new MetricsFile(dir.resolve(MetricsFile.NAME));
    }

    /** Opens (creating) the state folder {@code dir}; leftovers of interrupted writes are removed. */
    public static FolderCellState open(Path dir) {
        try {
            Files.createDirectories(dir);
            try (var files = Files.list(dir)) {
                for (Path leftover : files.filter(f -> f.getFileName().toString().startsWith(TEMPORARY)).toList()) {
                    Files.deleteIfExists(leftover);
                }
            }
            boolean resuming;
            try (var files = Files.list(dir)) {
                resuming = files.findAny().isPresent();
            }
            return new FolderCellState(dir, resuming);
        } catch (IOException e) {
            throw new PlabException("cannot open the cell's state folder " + dir + ": " + e.getMessage()
                    + "; check that the results folder is writable");
        }
    }

    @Override
    public Path dir() {
        return dir;
    }

    @Override
    public boolean resuming() {
        return resuming;
    }

    @Override
    public Path write(String name, Writer writer) throws IOException {
        Path target = file(name);
        Path temporary = dir.resolve(TEMPORARY + UUID.randomUUID() + "-" + target.getFileName());
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE); OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
                writer.write(out);
                out.flush();
                channel.force(true);
            }
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + dir + " cannot replace files atomically", e);
            }
            return target;
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    @Override
    public Optional<Path> find(String name) {
        Path f = file(name);
        return Files.isRegularFile(f) ? Optional.of(f) : Optional.empty();
    }

    @Override
    public MetricsSink metrics() {
        return metrics;
    }

    /** The metrics streamed so far (this run's and earlier runs'). */
    public MetricsFile metricsFile() {
        return metrics;
    }

    /** A plain file name inside the folder; names that climb out of it are refused. */
    private Path file(String name) {
        Path f = dir.resolve(name).normalize();
        if (name.isBlank() || !f.getParent().equals(dir.normalize()) || name.startsWith(TEMPORARY)
                || name.equals(MetricsFile.NAME)) {
            throw new IllegalArgumentException("state file name '" + name + "' must be a plain file name in the"
                    + " state folder, not " + MetricsFile.NAME);
        }
        return f;
    }

    @Override
    public void close() {
        try {
            metrics.close();
        } catch (UncheckedIOException e) {
            throw new PlabException("cannot finish the metrics file in " + dir + ": " + e.getMessage());
        }
    }
}
