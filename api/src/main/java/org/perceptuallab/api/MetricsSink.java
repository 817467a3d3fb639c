package org.perceptuallab.api;

/**
 * Streams scalars to the cell's state folder as they come (one line per point, flushed), so that a cell
 * that dies at epoch 90 still leaves its curves. Each series becomes a curve of the cell's result. A
 * resumed cell keeps the points of earlier attempts; recording a step again replaces its earlier value,
 * so a cell that resumes from an older checkpoint simply records those steps again.
 */
public interface MetricsSink {

    /** Records {@code value} at {@code step} (an epoch, an iteration) of {@code series}. */
    void record(String series, long step, double value);
}
