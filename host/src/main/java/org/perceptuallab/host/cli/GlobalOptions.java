package org.perceptuallab.host.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.perceptuallab.host.Settings;
import picocli.CommandLine.Option;

/** Options every command shares: plugins, weights, device, threads, seed, verbosity. */
public final class GlobalOptions {
    @Option(names = "--plugins-dir", paramLabel = "DIR",
            description = "An extra plugin folder (repeatable; also env PLAB_PLUGINS_DIR, ':'-separated).")
    List<Path> pluginDirs = new ArrayList<>();

    @Option(names = "--weights-dir", paramLabel = "DIR",
            description = "Folder of pretrained weight files by their published names (env PLAB_WEIGHTS_DIR).")
    Path weightsDir;

    @Option(names = "--device", paramLabel = "DEVICE", description = "cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
    String device = "cpu";

    @Option(names = "--threads", paramLabel = "N",
            description = "Intra-op threads of the engine; 0 = engine default (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--seed", paramLabel = "SEED", description = "Seed of every random draw (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-v", "--verbose"}, description = "Print stack traces of errors.")
    boolean verbose;

    /** The settings these options describe, over the environment's. */
    public Settings settings() {
        Settings s = Settings.fromEnvironment().device(device).threads(threads).seed(seed);
        pluginDirs.forEach(s::addPluginDir);
        if (weightsDir != null) {
            s.weightsDir(weightsDir);
        }
        return s;
    }

    public boolean verbose() {
        return verbose;
    }
}
