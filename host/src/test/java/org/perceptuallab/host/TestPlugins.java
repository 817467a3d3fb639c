package org.perceptuallab.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Real plugin jars made in a test: sources compiled against the test class path, packed with a manifest. */
public final class TestPlugins {
    private TestPlugins() {
    }

    /** Compiles one source file ({@code package/Name.java} under {@code work/src}) into {@code work/classes}. */
    public static Path compile(Path work, String relativePath, String source) throws IOException {
        Path src = work.resolve("src").resolve(relativePath);
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        Path classes = work.resolve("classes");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        assertThat(javac.run(null, null, null, "-proc:none", "-cp", classpath, "-d", classes.toString(),
                src.toString())).as("the test plugin's source compiles").isZero();
        return classes;
    }

    /**
     * A plugin jar {@code folder/ID.jar} holding every class under {@code classes}, these extensions (as
     * META-INF/services files, or PF4J's extensions.idx), an optional plugin class and an optional
     * {@code Plugin-Requires} range.
     */
    public static Path jar(Path folder, String id, Path classes, String pluginClass, String requires,
                           Map<Class<?>, List<String>> services, List<String> pf4jIndex) throws IOException {
        Files.createDirectories(folder);
        Path jar = folder.resolve(id + ".jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Plugin-Id", id);
        manifest.getMainAttributes().putValue("Plugin-Version", "1.0.0");
        manifest.getMainAttributes().putValue("Plugin-Provider", "Test Lab");
        if (pluginClass != null) {
            manifest.getMainAttributes().putValue("Plugin-Class", pluginClass);
        }
        if (requires != null) {
            manifest.getMainAttributes().putValue("Plugin-Requires", requires);
        }
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(f));
            }
            for (Map.Entry<Class<?>, List<String>> s : services.entrySet()) {
                out.putNextEntry(new JarEntry("META-INF/services/" + s.getKey().getName()));
                out.write((String.join("\n", s.getValue()) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            if (!pf4jIndex.isEmpty()) {
                out.putNextEntry(new JarEntry("META-INF/extensions.idx"));
                out.write((String.join("\n", pf4jIndex) + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        return jar;
    }
}
