package org.perceptuallab.host;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.perceptuallab.api.ApiVersion;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.PluginCommand;
import org.perceptuallab.runtime.catalog.PluginFailure;
import org.perceptuallab.runtime.catalog.Registry;
import org.pf4j.CompoundPluginLoader;
import org.pf4j.DefaultPluginLoader;
import org.pf4j.DefaultPluginManager;
import org.pf4j.DefaultVersionManager;
import org.pf4j.DevelopmentPluginLoader;
import org.pf4j.JarPluginLoader;
import org.pf4j.Plugin;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginFactory;
import org.pf4j.PluginLoader;
import org.pf4j.PluginRuntimeException;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;

/**
 * Finds loss families and experiments: PF4J plugins in the plugin folders, and jars on the class path
 * through their META-INF/services files. A plugin's extensions are read from META-INF/services or PF4J's
 * extensions.idx. Plugins load through a {@link GuardedClassLoader}: the JDK, the api, the kit, DJL, Jackson,
 * PF4J and SLF4J are always the host's classes (a plugin that bundles its own DJL would otherwise break the
 * engine: TECH-NOTES 6), every other class is the plugin's own first, and no call can end the process
 * ({@link ExitGuard}).
 * A broken plugin, or one broken extension of it, becomes a warning naming it and its jar; the rest still load.
 */
public final class PluginHost implements AutoCloseable {
    /** What an id (a plugin's or an extension's) may be: it names folders, files and command-line words. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,99}");

    private final GuardedPluginManager manager;
    private final List<Path> pluginDirs;
    /** A set: an extension class that cannot load is met once per extension type. */
    private final Set<String> warnings = new LinkedHashSet<>();

    /** Loads and starts the plugins of these folders. */
    public PluginHost(List<Path> pluginDirs) {
        this.manager = new GuardedPluginManager(pluginDirs);
        this.pluginDirs = pluginDirs.stream().map(d -> d.toAbsolutePath().normalize()).toList();
        for (Path dir : pluginDirs) {
            // PF4J skips a missing folder without a word; a mistyped PLAB_PLUGINS_DIR would lose its plugins.
            if (!Files.isDirectory(dir)) {
                warnings.add("plugin folder " + dir.toAbsolutePath() + " does not exist, so no plugins load from it;"
                        + " check PLAB_PLUGINS_DIR and --plugins-dir");
            }
        }
        if (!pluginDirs.isEmpty()) {
            manager.loadPlugins();
            refuseIncompatible();
            manager.startPlugins();
        }
        warnings.addAll(manager.skipped);
        for (PluginWrapper w : manager.getPlugins()) {
            if (w.getPluginState() != PluginState.STARTED) {
                Throwable why = w.getFailedException();
                warnings.add("plugin '" + w.getPluginId() + "' (" + w.getPluginPath() + ") did not start: "
                        + (why == null ? w.getPluginState() : why instanceof PluginRuntimeException
                        ? why.getMessage() : PluginFailure.describe(why)) + "; fix or remove the jar");
            }
        }
    }

    /**
     * Unloads, before any of its code runs, each plugin whose manifest's {@code Plugin-Requires} excludes
     * this host's api version ({@link ApiVersion}); a plugin that states no range is taken as compatible.
     */
    private void refuseIncompatible() {
        for (PluginWrapper w : List.copyOf(manager.getPlugins())) {
            String requires = w.getDescriptor().getRequires();
            if (!acceptsApiRange(requires)) {
                warnings.add("plugin '" + w.getPluginId() + "' " + w.getDescriptor().getVersion() + " ("
                        + w.getPluginPath() + ") requires api " + requires + ", but this host provides api "
                        + ApiVersion.CURRENT + "; it is not loaded. Use a plab host whose api meets that range, or"
                        + " a version of the plugin built for api " + ApiVersion.CURRENT.split("\\.")[0] + ".x");
                manager.unloadPlugin(w.getPluginId());
            }
        }
    }

    /**
     * Whether a plugin stating this {@code Plugin-Requires} range runs on this host's api; PF4J reads an
     * absent range as {@code *}, so one that states none is taken as compatible, and an unreadable one is not.
     */
    public static boolean acceptsApiRange(String requires) {
        try {
            return new DefaultVersionManager().checkVersionConstraint(ApiVersion.CURRENT, requires);
        } catch (RuntimeException unreadable) {
            return false;
        }
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
        collect(LossFamily.class, registry, f -> {
            f.summary();
            f.params();
            return f.id();
        });
    }

    /** Adds every experiment found to the registry. */
    public void collectExperiments(Registry<Experiment> registry) {
        collect(Experiment.class, registry, e -> {
            e.summary();
            e.params();
            return e.id();
        });
    }

    /** Adds every subcommand a plugin contributes. */
    public void collectCommands(Registry<PluginCommand> registry) {
        collect(PluginCommand.class, registry, c -> {
            c.summary();
            c.usage();
            return c.name();
        });
    }

    /** Why {@code id} is not a well-formed id ({@code what}: "plugin id", say), or null when it is. */
    static String malformedId(String what, String id) {
        if (id != null && ID.matcher(id).matches()) {
            return null;
        }
        StringBuilder shown = new StringBuilder();
        if (id != null) {
            id.codePoints().forEach(c -> shown.append(Character.isISOControl(c) ? String.format("\\u%04x", c)
                    : Character.toString(c)));
        }
        return "its " + what + (id == null ? " is missing" : " '" + shown + "' is malformed") + ": an id starts with a"
                + " letter or digit and holds only letters, digits and . _ + - (at most 100 characters)";
    }

    /** How a plugin is named in messages and provenance: its id and version. */
    public static String origin(PluginWrapper w) {
        return "plugin " + w.getPluginId() + " " + w.getDescriptor().getVersion();
    }

    /**
     * Creates every extension of {@code type} one by one, so that an extension which cannot be loaded,
     * constructed or describe itself ({@code describe} calls what the commands will call and returns the
     * id), or whose id is malformed or already installed, is a warning naming it and its jar, and the
     * plugin's other extensions and the other plugins still install.
     */
    private <T> void collect(Class<T> type, Registry<T> registry, Function<T, String> describe) {
        String classpath = "the class path";
        ClassLoader host = PluginHost.class.getClassLoader();
        // A plugin's loader also lists the host's services: those are installed once, below.
        List<String> hostServices = serviceNames(type, host, classpath);
        // Where two claim one id, the first keeps it: folders in their order (the distribution's first), then by name.
        List<PluginWrapper> byFolder = manager.getStartedPlugins().stream().sorted(Comparator
                .comparingInt((PluginWrapper w) -> folderIndex(w.getPluginPath()))
                .thenComparing(w -> w.getPluginPath().toString())).toList();
        for (PluginWrapper w : byFolder) {
            String origin = origin(w);
            String where = origin + " (" + w.getPluginPath() + ")";
            ClassLoader loader = w.getPluginClassLoader();
            // Extensions indexed by PF4J's extensions.idx, and by META-INF/services (ours).
            Set<String> names = new LinkedHashSet<>(manager.getExtensionClassNames(w.getPluginId()));
            names.addAll(serviceNames(type, loader, where));
            names.removeAll(hostServices);
            for (String name : names) {
                Created<T> created = create(type, name, loader, where, describe);
                if (created != null) {
                    install(registry, created, origin, where);
                }
            }
        }
        for (String name : hostServices) {
            Created<T> created = create(type, name, host, classpath, describe);
            if (created != null) {
                install(registry, created, "classpath " + PluginFailure.location(created.extension().getClass()),
                        classpath);
            }
        }
    }

    /** The position of the plugin folder holding this plugin in the folders given. */
    private int folderIndex(Path plugin) {
        Path path = plugin.toAbsolutePath().normalize();
        for (int i = 0; i < pluginDirs.size(); i++) {
            if (path.startsWith(pluginDirs.get(i))) {
                return i;
            }
        }
        return pluginDirs.size();
    }

    /** An extension and the id it gave. */
    private record Created<T>(T extension, String id) {
    }

    /** Adds the extension, unless an extension installed before holds its id: then a warning naming both. */
    private <T> void install(Registry<T> registry, Created<T> created, String origin, String where) {
        registry.addUnlessTaken(created.extension(), origin).ifPresent(holder -> warnings.add(where + ": its "
                + registry.kind() + " '" + created.id() + "' is left out, since " + holder.origin()
                + " installs that id already; rename it, or remove one of the jars"));
    }

    /** A new instance of the extension class {@code name}, or null (with a warning) when it fails. */
    private <T> Created<T> create(Class<T> type, String name, ClassLoader loader, String where,
                                  Function<T, String> describe) {
        Class<?> c;
        try {
            c = Class.forName(name, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            warnings.add(where + ": cannot load its extension class " + name + ": " + PluginFailure.describe(e)
                    + "; fix or remove the jar");
            return null;
        }
        // A plugin's loader also shows it the host's classes and its dependencies': keep only the plugin's own.
        if (!type.isAssignableFrom(c) || c.getClassLoader() != loader) {
            return null;
        }
        try {
            T extension = type.cast(manager.getExtensionFactory().create(c));
            String id = describe.apply(extension);
            String malformed = malformedId("id", id);
            if (malformed != null) {
                throw new IllegalStateException(malformed);
            }
            return new Created<>(extension, id);
        } catch (RuntimeException | LinkageError | AssertionError e) {
            warnings.add(where + ": cannot create its " + type.getSimpleName() + " extension " + name + ": "
                    + PluginFailure.describe(e) + "; its other extensions are installed; fix or remove the jar");
            return null;
        }
    }

    /** The provider class names in the loader's own {@code META-INF/services/TYPE} files. */
    private List<String> serviceNames(Class<?> type, ClassLoader loader, String where) {
        List<String> out = new ArrayList<>();
        try {
            Enumeration<URL> files = loader.getResources("META-INF/services/" + type.getName());
            while (files.hasMoreElements()) {
                URL file = files.nextElement();
                try (BufferedReader in = new BufferedReader(new InputStreamReader(file.openStream(),
                        StandardCharsets.UTF_8))) {
                    in.lines().map(l -> l.replaceFirst("#.*", "").trim()).filter(l -> !l.isEmpty())
                            .forEach(out::add);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            warnings.add(where + ": cannot read its META-INF/services/" + type.getName() + ": " + e);
        }
        return out;
    }

    /** Stops and unloads the plugins; one whose stop() throws is a warning and the others still stop. */
    @Override
    public void close() {
        // PF4J's stopPlugins gives up at the first plugin that throws anything but PF4J's own exception.
        for (PluginWrapper w : List.copyOf(manager.getStartedPlugins())) {
            try {
                manager.stopPlugin(w.getPluginId());
            } catch (RuntimeException | LinkageError | AssertionError e) {
                warnings.add(origin(w) + " (" + w.getPluginPath() + ") failed to stop: " + PluginFailure.describe(e)
                        + "; fix or remove the jar");
            }
        }
        manager.unloadPlugins();
    }

    /** PF4J with the class loading of {@link GuardedClassLoader}, which guards the plugins' code. */
    private static final class GuardedPluginManager extends DefaultPluginManager {
        /** Jars skipped, each with why (PF4J itself only logs them). */
        final List<String> skipped = new ArrayList<>();

        GuardedPluginManager(List<Path> roots) {
            super(roots);
            // A plugin whose dependencies are missing is left out alone, not every plugin (resolvePlugins).
            setResolveRecoveryStrategy(ResolveRecoveryStrategy.IGNORE_PLUGIN_AND_CONTINUE);
        }

        @Override
        protected PluginLoader createPluginLoader() {
            return new CompoundPluginLoader()
                    .add(new DevelopmentPluginLoader(this) {
                        @Override
                        protected PluginClassLoader createPluginClassLoader(Path path, PluginDescriptor d) {
                            return new GuardedClassLoader(pluginManager, d, path);
                        }
                    }, this::isDevelopment)
                    .add(new JarPluginLoader(this) {
                        @Override
                        public ClassLoader loadPlugin(Path path, PluginDescriptor d) {
                            PluginClassLoader loader = new GuardedClassLoader(pluginManager, d, path);
                            loader.addFile(path.toFile());
                            return loader;
                        }
                    }, this::isNotDevelopment)
                    .add(new DefaultPluginLoader(this) {
                        @Override
                        protected PluginClassLoader createPluginClassLoader(Path path, PluginDescriptor d) {
                            return new GuardedClassLoader(pluginManager, d, path);
                        }
                    }, this::isNotDevelopment);
        }

        /**
         * PF4J's own factory logs a plugin class that fails to construct and returns null, so the plugin
         * would fail without its reason; this one throws, and startPlugins records the cause.
         */
        @Override
        protected PluginFactory createPluginFactory() {
            return wrapper -> {
                String name = wrapper.getDescriptor().getPluginClass();
                if (name == null || name.isBlank()) {
                    return new Plugin();
                }
                try {
                    Class<?> type = wrapper.getPluginClassLoader().loadClass(name);
                    try {
                        return (Plugin) type.getConstructor().newInstance();
                    } catch (NoSuchMethodException legacy) {
                        return (Plugin) type.getConstructor(PluginWrapper.class).newInstance(wrapper);
                    }
                } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                    throw new PluginRuntimeException(e, "cannot create its plugin class {}: {}", name,
                            PluginFailure.describe(e));
                }
            };
        }

        /**
         * PF4J would refuse every plugin when one lacks a required dependency ({@code Plugin-Dependencies});
         * here it leaves out only that one (and those that need it), and each is named with what it lacks.
         */
        @Override
        protected void resolvePlugins() {
            Map<String, PluginWrapper> loaded = new LinkedHashMap<>();
            getPlugins().forEach(w -> loaded.put(w.getPluginId(), w));
            super.resolvePlugins();
            loaded.values().stream().filter(w -> getPlugin(w.getPluginId()) == null).forEach(w -> {
                List<String> missing = w.getDescriptor().getDependencies().stream()
                        .filter(d -> !d.isOptional() && getPlugin(d.getPluginId()) == null)
                        .map(d -> "'" + d.getPluginId() + "'").toList();
                String needs = missing.isEmpty() ? w.getDescriptor().getDependencies().stream()
                        .map(d -> "'" + d.getPluginId() + "' " + d.getPluginVersionSupport())
                        .collect(Collectors.joining(", ")) + ", which is installed in another version"
                        : String.join(", ", missing) + ", which is not installed";
                skipped.add("skipped " + w.getPluginPath() + ": plugin '" + w.getPluginId() + "' needs plugin "
                        + needs + "; install it, or remove the jar");
            });
        }

        /** A plugin id names folders, files and install records: one that is malformed skips its plugin. */
        @Override
        protected void validatePluginDescriptor(PluginDescriptor descriptor) {
            String malformed = malformedId("plugin id", descriptor.getPluginId());
            if (malformed != null) {
                throw new MalformedPluginId(malformed);
            }
            super.validatePluginDescriptor(descriptor);
        }

        /** A jar that cannot load, or whose plugin id is malformed or taken, is skipped with a warning. */
        @Override
        protected PluginWrapper loadPluginFromPath(Path pluginPath) {
            try {
                return super.loadPluginFromPath(pluginPath);
            } catch (RuntimeException e) {
                String id = e instanceof MalformedPluginId ? null : pluginIdOf(pluginPath);
                PluginWrapper holder = id == null ? null : getPlugin(id);
                skipped.add("skipped " + pluginPath + ": " + (holder != null ? "its plugin id '" + id
                        + "' is taken by " + holder.getPluginPath() + ", which is loaded; remove one of them (an"
                        + " older copy in the distribution or user plugin folder?)" : e.getMessage()
                        + (e instanceof MalformedPluginId ? "" : " (is it a plugin jar with a Plugin-Id in its"
                        + " manifest?)")));
                return null;
            }
        }

        /** Why a plugin's id keeps it from loading. */
        private static final class MalformedPluginId extends PluginRuntimeException {
            MalformedPluginId(String message) {
                super(message);
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
