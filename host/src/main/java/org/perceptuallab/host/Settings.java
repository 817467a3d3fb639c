package org.perceptuallab.host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.perceptuallab.api.PlabException;

/**
 * The run-wide settings: where plugins and weights are, the lab's own folder, the device, the thread count,
 * the seed. Each has a command-line option, an environment variable, and a default.
 */
public final class Settings {
    /** Environment variable: extra plugin folders, separated by ':'. */
    public static final String ENV_PLUGINS = "PLAB_PLUGINS_DIR";
    /** Environment variable: the folder holding pretrained weight files by their published names. */
    public static final String ENV_WEIGHTS = "PLAB_WEIGHTS_DIR";
    /** Environment variable: the lab's own folder (installed plugins, trusted keys, sharing settings). */
    public static final String ENV_HOME = "PLAB_HOME";
    /** The largest GPU index {@code gpu:N} may name: beyond any machine, within what the engine parses. */
    public static final int MAX_GPU_INDEX = 1023;

    private final List<Path> pluginDirs = new ArrayList<>();
    private Path home = Path.of(System.getProperty("user.home"), ".plab");
    /** Whether the user plugin folder (under the home) loads; tests that want the class path only drop it. */
    private boolean userPlugins = true;
    private Path weightsDir;
    private String device = "cpu";
    private int threads;
    private long seed;
    private boolean verbose;
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
        String home = System.getenv(ENV_HOME);
        if (home != null && !home.isBlank()) {
            s.home = Path.of(home);
        }
        String weights = System.getenv(ENV_WEIGHTS);
        if (weights != null && !weights.isBlank()) {
            s.weightsDir = Path.of(weights);
        }
        return s;
    }

    /** Plugin folders, the distribution's first, the user plugin folder (where it exists) last. */
    public List<Path> pluginDirs() {
        List<Path> out = new ArrayList<>(pluginDirs);
        Path user = userPluginDir();
        if (userPlugins && Files.isDirectory(user) && out.stream().noneMatch(d -> sameFolder(d, user))) {
            out.add(user);
        }
        return List.copyOf(out);
    }

    /** The lab's own folder: {@code plugins/} (what {@code plab plugins install} installs), trusted keys, settings. */
    public Path home() {
        return home;
    }

    public Settings home(Path dir) {
        this.home = dir;
        return this;
    }

    /** The folder {@code plab plugins install} installs into, loaded after the others. */
    public Path userPluginDir() {
        return home.resolve("plugins");
    }

    private static boolean sameFolder(Path a, Path b) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
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
        userPlugins = false;
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

    /** "cpu", "gpu" or "gpu:N" (N a GPU's index, at most {@link #MAX_GPU_INDEX}). */
    public Settings device(String name) {
        if (!name.matches("cpu|gpu(:\\d+)?")) {
            throw new PlabException("device must be cpu, gpu or gpu:N, got '" + name + "'");
        }
        String index = name.startsWith("gpu:") ? name.substring("gpu:".length()) : "0";
        // Nine digits always fit an int; more are refused before parsing, which would overflow.
        if (index.length() > 9 || Integer.parseInt(index) > MAX_GPU_INDEX) {
            throw new PlabException("device '" + name + "' names GPU " + index + ", but a GPU index is at most "
                    + MAX_GPU_INDEX + " (GPUs are numbered from 0; nvidia-smi lists them)");
        }
        this.device = name;
        return this;
    }

    /**
     * {@code requested}, or this machine's processors where it asks for more: more threads or processes than
     * cores only contend (and a typo such as 100000 would make the engine create threads without end); the
     * one line saying so goes to {@code word}.
     */
    public static int atMostProcessors(String option, int requested, Consumer<String> word) {
        int cores = Runtime.getRuntime().availableProcessors();
        if (requested <= cores) {
            return requested;
        }
        word.accept(option + " " + requested + " is more than the " + cores + " processors here; using " + cores);
        return cores;
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

    /** Whether the engine's own warnings reach the user (and errors print their stack traces). */
    public boolean verbose() {
        return verbose;
    }

    public Settings verbose(boolean value) {
        this.verbose = value;
        return this;
    }
}
