package org.perceptuallab.host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.perceptuallab.api.PlabException;

/**
 * The run-wide settings: where plugins and weights are, the lab's own folder, the device, the thread count,
 * the seed. Each has a command-line option, an environment variable, and a default. Immutable: each
 * {@code with} gives a new value, so settings built once for a run (and sent whole to its worker processes)
 * cannot change under it.
 *
 * @param extraPluginDirs plugin folders given (the distribution's, PLAB_PLUGINS_DIR, --plugins-dir), in order
 * @param home the lab's own folder: {@code plugins/} (what {@code plab plugins install} installs), trusted keys,
 *     settings
 * @param userPlugins whether the user plugin folder (under the home) loads; tests that want the class path only
 *     drop it
 * @param weightsDir the folder of pretrained weight files by their published names, or null
 * @param device "cpu", "gpu" or "gpu:N"
 * @param threads intra-op threads; 0 means the engine's default
 * @param seed the seed of every random draw
 * @param verbose whether the engine's own warnings reach the user (and errors print their stack traces)
 * @param commandLine the command line that started this process, for provenance
 */
public record Settings(List<Path> extraPluginDirs, Path home, boolean userPlugins, Path weightsDir, String device,
                       int threads, long seed, boolean verbose, List<String> commandLine) {
    /** Environment variable: extra plugin folders, separated by ':'. */
    public static final String ENV_PLUGINS = "PLAB_PLUGINS_DIR";
    /** Environment variable: the folder holding pretrained weight files by their published names. */
    public static final String ENV_WEIGHTS = "PLAB_WEIGHTS_DIR";
    /** Environment variable: the lab's own folder (installed plugins, trusted keys, sharing settings). */
    public static final String ENV_HOME = "PLAB_HOME";
    /** The largest GPU index {@code gpu:N} may name: beyond any machine, within what the engine parses. */
    public static final int MAX_GPU_INDEX = 1023;

    public Settings {
        extraPluginDirs = List.copyOf(extraPluginDirs);
        commandLine = List.copyOf(commandLine);
        if (!device.matches("cpu|gpu(:\\d+)?")) {
            throw new PlabException("device must be cpu, gpu or gpu:N, got '" + device + "'");
        }
        String index = device.startsWith("gpu:") ? device.substring("gpu:".length()) : "0";
        // Nine digits always fit an int; more are refused before parsing, which would overflow.
        if (index.length() > 9 || Integer.parseInt(index) > MAX_GPU_INDEX) {
            throw new PlabException("device '" + device + "' names GPU " + index + ", but a GPU index is at most "
                    + MAX_GPU_INDEX + " (GPUs are numbered from 0; nvidia-smi lists them)");
        }
        if (threads < 0) {
            throw new PlabException("threads must be >= 0 (0: the engine's default), got " + threads);
        }
    }

    /** Settings from the environment and system properties alone. */
    public static Settings fromEnvironment() {
        List<Path> dirs = new ArrayList<>();
        String dist = System.getProperty("plab.pluginsDir");
        if (dist != null && !dist.isBlank()) {
            dirs.add(Path.of(dist));
        }
        String extra = System.getenv(ENV_PLUGINS);
        if (extra != null) {
            for (String part : extra.split(":")) {
                if (!part.isBlank()) {
                    dirs.add(Path.of(part));
                }
            }
        }
        String home = System.getenv(ENV_HOME);
        String weights = System.getenv(ENV_WEIGHTS);
        return new Settings(dirs, home != null && !home.isBlank() ? Path.of(home)
                : Path.of(System.getProperty("user.home"), ".plab"), true,
                weights != null && !weights.isBlank() ? Path.of(weights) : null, "cpu", 0, 0, false, List.of());
    }

    /** Plugin folders, the distribution's first, the user plugin folder (where it exists) last. */
    public List<Path> pluginDirs() {
        List<Path> out = new ArrayList<>(extraPluginDirs);
        Path user = userPluginDir();
        if (userPlugins && Files.isDirectory(user) && out.stream().noneMatch(d -> sameFolder(d, user))) {
            out.add(user);
        }
        return List.copyOf(out);
    }

    /** The folder {@code plab plugins install} installs into, loaded after the others. */
    public Path userPluginDir() {
        return home.resolve("plugins");
    }

    private static boolean sameFolder(Path a, Path b) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    /** These settings with one more plugin folder, which must exist. */
    public Settings withPluginDir(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new PlabException("plugin folder not found: " + dir.toAbsolutePath());
        }
        List<Path> dirs = new ArrayList<>(extraPluginDirs);
        dirs.add(dir);
        return new Settings(dirs, home, userPlugins, weightsDir, device, threads, seed, verbose, commandLine);
    }

    /** These settings without any plugin folder (tests and embedding apps that want the class path only). */
    public Settings withoutPluginDirs() {
        return new Settings(List.of(), home, false, weightsDir, device, threads, seed, verbose, commandLine);
    }

    public Settings withHome(Path dir) {
        return new Settings(extraPluginDirs, dir, userPlugins, weightsDir, device, threads, seed, verbose, commandLine);
    }

    public Settings withWeightsDir(Path dir) {
        return new Settings(extraPluginDirs, home, userPlugins, dir, device, threads, seed, verbose, commandLine);
    }

    /** "cpu", "gpu" or "gpu:N" (N a GPU's index, at most {@link #MAX_GPU_INDEX}). */
    public Settings withDevice(String name) {
        return new Settings(extraPluginDirs, home, userPlugins, weightsDir, name, threads, seed, verbose, commandLine);
    }

    public Settings withThreads(int n) {
        return new Settings(extraPluginDirs, home, userPlugins, weightsDir, device, n, seed, verbose, commandLine);
    }

    public Settings withSeed(long value) {
        return new Settings(extraPluginDirs, home, userPlugins, weightsDir, device, threads, value, verbose, commandLine);
    }

    public Settings withVerbose(boolean value) {
        return new Settings(extraPluginDirs, home, userPlugins, weightsDir, device, threads, seed, value, commandLine);
    }

    public Settings withCommandLine(List<String> args) {
        return new Settings(extraPluginDirs, home, userPlugins, weightsDir, device, threads, seed, verbose, args);
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
}
