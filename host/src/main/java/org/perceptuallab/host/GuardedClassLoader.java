package org.perceptuallab.host;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.jar.Manifest;
import org.pf4j.ClassLoadingStrategy;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginManager;

/**
 * A plugin's class loader. The JDK, the api, the kit and the libraries that must be one copy per process
 * ({@link #fromHostFirst}) come from the host; every other class from the plugin first, then from the
 * plugins it depends on, then from the host, so that a plugin's own Bouncy Castle or SnakeYAML is the one it
 * uses. It defines each of the plugin's own classes through {@link ExitGuard#guard}, so that no plugin code
 * can end the process, and remembers which classes it defined, so that a stack frame can be traced to its
 * plugin.
 */
final class GuardedClassLoader extends PluginClassLoader implements ExitGuard.PluginLoader {
    /**
     * Packages and classes the host always supplies: its contract (api, kit), the libraries whose types the
     * api's signatures expose (DJL, Jackson's JsonNode) or that must be one copy per process (DJL loads
     * libtorch once: TECH-NOTES 6; PF4J; SLF4J's one binding), and the guard's stand-ins for System.exit.
     */
    private static final List<String> HOST_PREFIXES = List.of("org.perceptuallab.api.", "org.perceptuallab.kit.",
            "ai.djl.", "com.fasterxml.jackson.", "org.pf4j.", "org.slf4j.", ExitGuard.class.getName());
    /** The JDK's packages: those of the boot layer's modules ({@code java.*}, {@code javax.*}, {@code jdk.*}...). */
    private static final Set<String> JDK_PACKAGES = ModuleLayer.boot().modules().stream()
            .flatMap(m -> m.getPackages().stream()).collect(Collectors.toUnmodifiableSet());

    private final String plugin;
    private final Set<String> defined = ConcurrentHashMap.newKeySet();
    /** One protection domain per jar or folder, as URLClassLoader keeps them. */
    private final Map<URL, ProtectionDomain> domains = new ConcurrentHashMap<>();

    GuardedClassLoader(PluginManager manager, PluginDescriptor descriptor, Path path) {
        super(manager, descriptor, GuardedClassLoader.class.getClassLoader(), ClassLoadingStrategy.PDA);
        this.plugin = "plugin " + descriptor.getPluginId() + " " + descriptor.getVersion() + " (" + path + ")";
        ExitGuard.watch(this);
    }

    /**
     * Whether {@code className} is looked up in the host before the plugin: a JDK, api or kit class, or one of
     * a library shared by the whole process. The plugin's own copy of such a class is used only where the
     * host has none.
     */
    static boolean fromHostFirst(String className) {
        int dot = className.lastIndexOf('.');
        return dot > 0 && JDK_PACKAGES.contains(className.substring(0, dot))
                || HOST_PREFIXES.stream().anyMatch(className::startsWith);
    }

    @Override
    public Class<?> loadClass(String name) throws ClassNotFoundException {
        if (!fromHostFirst(name)) {
            return super.loadClass(name); // the plugin, its dependencies, then the host
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded != null) {
                return loaded;
            }
            try {
                return getParent().loadClass(name);
            } catch (ClassNotFoundException notInTheHost) {
                return findClass(name);
            }
        }
    }

    /** "plugin ID VERSION (PATH)", for messages. */
    @Override
    public String plugin() {
        return plugin;
    }

    @Override
    public boolean defines(String className) {
        return defined.contains(className);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        String file = name.replace('.', '/') + ".class";
        URL url = findResource(file);
        if (url == null) {
            throw new ClassNotFoundException(name);
        }
        byte[] bytes;
        URL root;
        Manifest manifest = null;
        try {
            URLConnection connection = url.openConnection();
            // Not the JVM-wide jar cache, which would keep the jar open after this loader closes.
            connection.setUseCaches(false);
            if (connection instanceof JarURLConnection jar) {
                root = jar.getJarFileURL();
                manifest = jar.getManifest();
            } else {
                root = new URL(url.toString().substring(0, url.toString().length() - file.length()));
            }
            try (InputStream in = connection.getInputStream()) {
                bytes = in.readAllBytes();
            }
        } catch (IOException e) {
            throw new ClassNotFoundException(name + ": cannot read " + url + ": " + e.getMessage(), e);
        }
        byte[] guarded;
        try {
            guarded = ExitGuard.guard(bytes);
        } catch (RuntimeException unreadable) {
            // Fail closed: a class the guard cannot read is not loaded unguarded.
            throw new ClassFormatError(name + " in " + plugin + " is not a class file this host can read ("
                    + unreadable + "); rebuild the plugin with a JDK this host supports");
        }
        definePackageOf(name, manifest, root);
        Class<?> type = defineClass(name, guarded, 0, guarded.length, domains.computeIfAbsent(root,
                r -> new ProtectionDomain(new CodeSource(r, (CodeSigner[]) null), null, this, null)));
        defined.add(name);
        return type;
    }

    private void definePackageOf(String className, Manifest manifest, URL root) {
        int dot = className.lastIndexOf('.');
        String pkg = dot < 0 ? "" : className.substring(0, dot);
        if (!pkg.isEmpty() && getDefinedPackage(pkg) == null) {
            if (manifest != null) {
                definePackage(pkg, manifest, root);
            } else {
                definePackage(pkg, null, null, null, null, null, null, null);
            }
        }
    }

    @Override
    public void close() throws IOException {
        ExitGuard.forget(this);
        super.close();
    }
}
