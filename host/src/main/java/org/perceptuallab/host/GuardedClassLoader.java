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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.Manifest;
import org.pf4j.ClassLoadingStrategy;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginManager;

/**
 * A plugin's class loader, parent-first (DJL, the api and the kit are always the host's classes: TECH-NOTES
 * 6), that defines each of the plugin's own classes through {@link ExitGuard#guard}, so that no plugin code
 * can end the process. It remembers which classes it defined, so that a stack frame can be traced to its
 * plugin.
 */
final class GuardedClassLoader extends PluginClassLoader implements ExitGuard.PluginLoader {
    private final String plugin;
    private final Set<String> defined = ConcurrentHashMap.newKeySet();
    /** One protection domain per jar or folder, as URLClassLoader keeps them. */
    private final Map<URL, ProtectionDomain> domains = new ConcurrentHashMap<>();

    GuardedClassLoader(PluginManager manager, PluginDescriptor descriptor, Path path) {
        super(manager, descriptor, GuardedClassLoader.class.getClassLoader(), ClassLoadingStrategy.APD);
        this.plugin = "plugin " + descriptor.getPluginId() + " " + descriptor.getVersion() + " (" + path + ")";
        ExitGuard.watch(this);
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
