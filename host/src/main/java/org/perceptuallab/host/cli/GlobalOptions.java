package org.perceptuallab.host.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.perceptuallab.host.Settings;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Options every command shares: plugins, the lab's folder, weights, device, threads, seed, verbosity. The root command holds
 * the one instance; the options are inherited, so they may come before or after the subcommand's name.
 */
public final class GlobalOptions {
    /** The name the root command holds these options under, where every command finds them. */
    public static final String MIXIN = "global";

    @Option(scope = ScopeType.INHERIT, names = "--plugins-dir", paramLabel = "DIR",
            description = "An extra plugin folder (repeatable; also env PLAB_PLUGINS_DIR, ':'-separated).")
    List<Path> pluginDirs = new ArrayList<>();

    @Option(scope = ScopeType.INHERIT, names = "--home", paramLabel = "DIR",
            description = "The lab's own folder: installed plugins (DIR/plugins), trusted keys, sharing settings"
                    + " (env PLAB_HOME; default ~/.plab).")
    Path home;

    @Option(scope = ScopeType.INHERIT, names = "--weights-dir", paramLabel = "DIR",
            description = "Folder of pretrained weight files by their published names (env PLAB_WEIGHTS_DIR).")
    Path weightsDir;

    @Option(scope = ScopeType.INHERIT, names = "--device", paramLabel = "DEVICE", description = "cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
    String device = "cpu";

    @Option(scope = ScopeType.INHERIT, names = "--threads", paramLabel = "N",
            description = "Intra-op threads of the engine; 0 = engine default (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(scope = ScopeType.INHERIT, names = "--seed", paramLabel = "SEED", description = "Seed of every random draw (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(scope = ScopeType.INHERIT, names = {"-v", "--verbose"}, description = "Print stack traces of errors.")
    boolean verbose;

    /** The settings these options describe, over the environment's. */
    public Settings settings() {
        Settings s = Settings.fromEnvironment().withDevice(device).withThreads(threads).withSeed(seed)
                .withVerbose(verbose);
        for (Path dir : pluginDirs) {
            s = s.withPluginDir(dir);
        }
        if (home != null) {
            s = s.withHome(home);
        }
        return weightsDir == null ? s : s.withWeightsDir(weightsDir);
    }

    public long seed() {
        return seed;
    }

    public boolean verbose() {
        return verbose;
    }
}
