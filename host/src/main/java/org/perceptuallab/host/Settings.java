package org.perceptuallab.host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.perceptuallab.api.PlabException;

/**
 * The run-wide settings: where plugins and weights are, the device, the thread count, the seed. Each
 * has a command-line option, an environment variable, and a default.
 */
public final class Settings {
    /** Environment variable: extra plugin folders, separated by ':'. */
    public static final String ENV_PLUGINS = "PLAB_PLUGINS_DIR";
    /** Environment variable: the folder holding pretrained weight files by their published names. */
    public static final String ENV_WEIGHTS = "PLAB_WEIGHTS_DIR";

    private final List<Path> pluginDirs = new ArrayList<>();
    private Path weightsDir;
    private String device = "cpu";
    private int threads;
    private long seed;
    private List<String> commandLine = List.of();

    /** Settings from the environment and system properties alone. */
    public static Settings fromEnvironment() {
        Settings s = new Settings();
        String dist = System.getProperty("plab.pluginsDir");
        if (dist != null && !dist.isBlank()) {
            s.pluginDirs.add(Path.of(dist));
        }
        String extra = System.getenv(ENV_PLUGINS);
        if (extra != null) {
            for (String part : extra.split(":")) {
                if (!part.isBlank()) {
                    s.pluginDirs.add(Path.of(part));
                }
            }
        }
        String weights = System.getenv(ENV_WEIGHTS);
        if (weights != null && !weights.isBlank()) {
            s.weightsDir = Path.of(weights);
        }
        return s;
    }

    /** Plugin folders, the distribution's first. */
    public List<Path> pluginDirs() {
        return List.copyOf(pluginDirs);
    }

    public Settings addPluginDir(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new PlabException("plugin folder not found: " + dir.toAbsolutePath());
        }
        pluginDirs.add(dir);
        return this;
    }

    /** Drops every plugin folder (tests and embedding apps that want the class path only). */
    public Settings clearPluginDirs() {
        pluginDirs.clear();
        return this;
    }

    public Path weightsDir() {
        return weightsDir;
    }

    public Settings weightsDir(Path dir) {
        this.weightsDir = dir;
        return this;
    }

    public String device() {
        return device;
    }

    /** "cpu", "gpu" or "gpu:N". */
    public Settings device(String name) {
        if (!name.matches("cpu|gpu(:\\d+)?")) {
            throw new PlabException("device must be cpu, gpu or gpu:N, got '" + name + "'");
        }
        this.device = name;
        return this;
    }

    /** Intra-op threads; 0 means the engine's default. */
    public int threads() {
        return threads;
    }

    public Settings threads(int n) {
        if (n < 0) {
            throw new PlabException("threads must be >= 0 (0: the engine's default), got " + n);
        }
        this.threads = n;
        return this;
    }

    /** The command line that started this process, for provenance. */
    public List<String> commandLine() {
        return commandLine;
    }

    public Settings commandLine(List<String> args) {
        this.commandLine = List.copyOf(args);
        return this;
    }

    public long seed() {
        return seed;
    }

    public Settings seed(long value) {
        this.seed = value;
        return this;
    }
}
