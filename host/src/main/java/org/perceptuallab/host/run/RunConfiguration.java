package org.perceptuallab.host.run;

import java.nio.file.Path;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.Settings;

/**
 * Everything a matrix run is configured with, built once from the command line and the matrix file and sent
 * whole to each worker process: the settings (plugins, device, threads, seed), the results folder, the shard
 * this process runs, the cells at once, whether stored failures run again, and where cells share derived
 * data. Immutable; each {@code with} gives a new value.
 *
 * @param settings the runtime's settings; its seed is the run's
 * @param output the results folder
 * @param shard the shard of the cells this process runs
 * @param jobs cells at once, each in a worker process of its own; 1: one after another in this process
 * @param retryFailed whether cells that failed before run again instead of keeping their stored failure
 * @param cacheFolder where cells share derived data (images decoded once per matrix), or null: each cell decodes
 *     its own (the figures are the same either way)
 */
public record RunConfiguration(Settings settings, Path output, Shard shard, int jobs, boolean retryFailed,
                               Path cacheFolder) {
    /** The results folder's subfolder of derived data that cells share by default. */
    public static final String CACHE = "cache";

    public RunConfiguration {
        if (jobs < 1) {
            throw new PlabException("--jobs must be at least 1, got " + jobs);
        }
    }

    /** All cells, one at a time in this process, stored failures kept, the results folder's cache shared. */
    public static RunConfiguration of(Settings settings, Path output) {
        return new RunConfiguration(settings, output, Shard.ALL, 1, false, output.resolve(CACHE));
    }

    public RunConfiguration withShard(Shard value) {
        return new RunConfiguration(settings, output, value, jobs, retryFailed, cacheFolder);
    }

    public RunConfiguration withJobs(int n) {
        return new RunConfiguration(settings, output, shard, n, retryFailed, cacheFolder);
    }

    public RunConfiguration withRetryFailed(boolean value) {
        return new RunConfiguration(settings, output, shard, jobs, value, cacheFolder);
    }

    /** Cells share derived data in {@code folder}; null: no sharing. */
    public RunConfiguration withCacheFolder(Path folder) {
        return new RunConfiguration(settings, output, shard, jobs, retryFailed, folder);
    }

    public RunConfiguration withSettings(Settings value) {
        return new RunConfiguration(value, output, shard, jobs, retryFailed, cacheFolder);
    }

    /**
     * Cells at once by default: one per core up to 4 cores, then one per 2 cores. A cell's engine work
     * scales well to 2 threads but not far beyond on the small tensors of a matrix (64x64 images, batches
     * of 32), while its Java work (decoding, bootstrap, figures, k-medoids) runs on one thread; so on a few
     * cores each cell gets one, and on many cores two (README, Throughput).
     */
    public static int defaultJobs(int cores) {
        return cores <= 4 ? Math.max(1, cores) : cores / 2;
    }
}
