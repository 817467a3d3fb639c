package org.perceptuallab.host;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.PluginCommand;
import org.perceptuallab.runtime.NativeEngine;
import org.perceptuallab.runtime.NativeHeap;
import org.perceptuallab.runtime.catalog.LabContext;
import org.perceptuallab.runtime.catalog.LossCatalog;
import org.perceptuallab.runtime.catalog.Registry;

/**
 * The host runtime: the tensor backend on the chosen device, the installed losses and experiments. Every
 * command and test builds one, uses it, and closes it.
 */
public final class Lab implements AutoCloseable {
    /** The host's version, recorded in every result's provenance. */
    public static final String VERSION = versionOf();

    private final Settings settings;
    private final PluginHost plugins;
    private final LossCatalog losses = new LossCatalog();
    private final Registry<Experiment> experiments = new Registry<>("experiment", Experiment::id);
    private final Registry<PluginCommand> commands = new Registry<>("command", PluginCommand::name);
    private NDManager manager;

    /** Discovers plugins; the engine starts on first use of {@link #manager()}. */
    public Lab(Settings settings) {
        this.settings = settings;
        configureEngine(settings);
        this.plugins = new PluginHost(settings.pluginDirs());
        plugins.collectLosses(losses.families());
        plugins.collectExperiments(experiments);
        plugins.collectCommands(commands);
    }

    /**
     * Engine properties must be set before the engine starts: offline natives (TECH-NOTES 0), threads, and
     * the native heap's policy.
     */
    public static void configureEngine(Settings settings) {
        NativeHeap.retainFreedMemory();
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        if (settings.threads() > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(settings.threads()));
            System.setProperty("ai.djl.pytorch.num_interop_threads", Integer.toString(settings.threads()));
        }
    }

    public Settings settings() {
        return settings;
    }

    public LossCatalog losses() {
        return losses;
    }

    public Registry<Experiment> experiments() {
        return experiments;
    }

    /** The subcommands plugins contribute. */
    public Registry<PluginCommand> commands() {
        return commands;
    }

    public PluginHost plugins() {
        return plugins;
    }

    /** Loading problems to show the user. */
    public List<String> warnings() {
        return plugins.warnings();
    }

    /** The root manager on the configured device (starts the engine). */
    public synchronized NDManager manager() {
        if (manager == null) {
            Engine engine = Engine.getEngine("PyTorch");
            NativeEngine.configure(settings.verbose());
            Device device = Device.fromName(settings.device(), engine);
            if (device.isGpu() && engine.getGpuCount() <= device.getDeviceId()) {
                throw new PlabException("device " + settings.device() + " requested but the engine sees "
                        + engine.getGpuCount() + " GPU(s); use --device cpu, or install a CUDA build of the"
                        + " PyTorch natives");
            }
            NDManager candidate = NDManager.newBaseManager(device, "PyTorch");
            // The engine may count a GPU whose natives it cannot use (a CUDA runtime with a CPU build of
            // libtorch): only a first array on the device tells, and it should tell here, not mid-command.
            try {
                candidate.zeros(new Shape(1)).close();
            } catch (EngineException e) {
                candidate.close();
                throw new PlabException("device " + settings.device() + " requested but the PyTorch natives here"
                        + " cannot use it (" + firstSentence(e.getMessage())
                        + "); use --device cpu, or install a CUDA build of"
                        + " the PyTorch natives");
            }
            manager = candidate;
        }
        return manager;
    }

    /** Builds a loss whose constants live in {@code owner}, drawing from the settings' seed. */
    public Loss createLoss(LossSpec spec, NDManager owner) {
        return createLoss(spec, owner, settings.seed());
    }

    /** Builds a loss whose constants live in {@code owner}, drawing from {@code seed} (a planned cell's). */
    public Loss createLoss(LossSpec spec, NDManager owner, long seed) {
        return losses.create(spec, new LabContext(owner, seed, java.util.Map.of(), losses, settings.weightsDir()));
    }

    /** A one-line description of the backend, for provenance and reports. */
    public String backendDescription() {
        Engine engine = manager().getEngine();
        return engine.getEngineName() + " " + engine.getVersion() + " (DJL " + Engine.getDjlVersion() + ") on "
                + manager().getDevice();
    }

    @Override
    public synchronized void close() {
        if (manager != null) {
            manager.close();
        }
        plugins.close();
    }

    /** The engine's messages run to a page (every backend it has); the first sentence says what failed. */
    private static String firstSentence(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("").split("\\. ", 2)[0];
    }

    private static String versionOf() {
        String v = Lab.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
