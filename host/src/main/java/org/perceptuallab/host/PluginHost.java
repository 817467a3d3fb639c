package org.perceptuallab.host;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.BiConsumer;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.catalog.Registry;
import org.pf4j.ClassLoadingStrategy;
import org.pf4j.CompoundPluginLoader;
import org.pf4j.DefaultPluginLoader;
import org.pf4j.DefaultPluginManager;
import org.pf4j.DevelopmentPluginLoader;
import org.pf4j.JarPluginLoader;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginLoader;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;

/**
 * Finds loss families and experiments: PF4J plugins in the plugin folders, and jars on the class path
 * through {@link ServiceLoader}. A plugin's extensions are read from META-INF/services or PF4J's
 * extensions.idx. Plugins load parent-first, so DJL, the api and the kit are always the
 * host's classes (a plugin that bundles its own DJL would otherwise break the engine: TECH-NOTES 6).
 * A broken plugin becomes a warning naming it; the others still load.
 */
public final class PluginHost implements AutoCloseable {
    private final ParentFirstPluginManager manager;
    private final List<String> warnings = new ArrayList<>();

    /** Loads and starts the plugins of these folders. */
    public PluginHost(List<Path> pluginDirs) {
        this.manager = new ParentFirstPluginManager(pluginDirs);
        if (!pluginDirs.isEmpty()) {
            manager.loadPlugins();
            manager.startPlugins();
        }
        for (PluginWrapper w : manager.getPlugins()) {
            if (w.getPluginState() != PluginState.STARTED) {
                Throwable why = w.getFailedException();
                warnings.add("plugin '" + w.getPluginId() + "' (" + w.getPluginPath() + ") did not start: "
                        + (why == null ? w.getPluginState() : why.getMessage()));
            }
        }
        warnings.addAll(0, manager.unreadable);
    }

    /** Problems met while loading (broken jars, failed plugins), one line each. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** The started plugins. */
    public List<PluginWrapper> plugins() {
        return manager.getStartedPlugins();
    }

    /** Adds every loss family found to the registry, plugins first, then the class path. */
    public void collectLosses(Registry<LossFamily> registry) {
        collect(LossFamily.class, registry::add);
    }

    /** Adds every experiment found to the registry. */
    public void collectExperiments(Registry<Experiment> registry) {
        collect(Experiment.class, registry::add);
    }

    private <T> void collect(Class<T> type, BiConsumer<T, String> sink) {
        for (PluginWrapper w : manager.getStartedPlugins()) {
            String origin = "plugin " + w.getPluginId() + " " + w.getDescriptor().getVersion();
            try {
                // Extensions indexed by PF4J's default extensions.idx, and by META-INF/services (ours).
                // Parent-first loading also shows a plugin the host's services: keep only its own classes.
                Set<Class<?>> seen = new HashSet<>();
                ClassLoader loader = w.getPluginClassLoader();
                List<T> found = new ArrayList<>(manager.getExtensions(type, w.getPluginId()));
                ServiceLoader.load(type, loader).stream()
                        .filter(p -> p.type().getClassLoader() == loader).map(ServiceLoader.Provider::get)
                        .forEach(found::add);
                for (T extension : found) {
                    if (extension.getClass().getClassLoader() == loader && seen.add(extension.getClass())) {
                        sink.accept(extension, origin);
                    }
                }
            } catch (PlabException e) {
                throw e;
            } catch (RuntimeException | LinkageError e) {
                warnings.add(origin + " (" + w.getPluginPath() + "): cannot create its " + type.getSimpleName()
                        + " extensions: " + e);
            }
        }
        for (ServiceLoader.Provider<T> p : ServiceLoader.load(type, PluginHost.class.getClassLoader())
                .stream().toList()) {
            sink.accept(p.get(), "classpath " + p.type().getProtectionDomain().getCodeSource().getLocation().getPath());
        }
    }

    @Override
    public void close() {
        manager.stopPlugins();
        manager.unloadPlugins();
    }

    /** PF4J with parent-first class loading. */
    private static final class ParentFirstPluginManager extends DefaultPluginManager {
        /** Jars PF4J could not read (PF4J itself only logs them). */
        final List<String> unreadable = new ArrayList<>();

        ParentFirstPluginManager(List<Path> roots) {
            super(roots);
        }

        @Override
        protected PluginLoader createPluginLoader() {
            return new CompoundPluginLoader()
                    .add(new DevelopmentPluginLoader(this) {
                        @Override
                        protected PluginClassLoader createPluginClassLoader(Path path, PluginDescriptor d) {
                            return parentFirst(pluginManager, d);
                        }
                    }, this::isDevelopment)
                    .add(new JarPluginLoader(this) {
                        @Override
                        public ClassLoader loadPlugin(Path path, PluginDescriptor d) {
                            PluginClassLoader loader = parentFirst(pluginManager, d);
                            loader.addFile(path.toFile());
                            return loader;
                        }
                    }, this::isNotDevelopment)
                    .add(new DefaultPluginLoader(this) {
                        @Override
                        protected PluginClassLoader createPluginClassLoader(Path path, PluginDescriptor d) {
                            return parentFirst(pluginManager, d);
                        }
                    }, this::isNotDevelopment);
        }

        private static PluginClassLoader parentFirst(PluginManager pm, PluginDescriptor d) {
            return new PluginClassLoader(pm, d, PluginHost.class.getClassLoader(), ClassLoadingStrategy.APD);
        }

        @Override
        protected PluginWrapper loadPluginFromPath(Path pluginPath) {
            try {
                return super.loadPluginFromPath(pluginPath);
            } catch (RuntimeException e) {
                String id = pluginIdOf(pluginPath);
                if (id != null && getPlugin(id) != null) {
                    throw new PlabException("plugin id '" + id + "' is claimed by two plugins: "
                            + getPlugin(id).getPluginPath() + " and " + pluginPath
                            + "; remove one of them (an older copy in the distribution or user plugin folder?)");
                }
                unreadable.add("skipped " + pluginPath + ": " + e.getMessage()
                        + " (is it a plugin jar with a Plugin-Id in its manifest?)");
                return null;
            }
        }

        private String pluginIdOf(Path pluginPath) {
            try {
                return getPluginDescriptorFinder().find(pluginPath).getPluginId();
            } catch (RuntimeException unreadable) {
                return null;
            }
        }
    }
}
