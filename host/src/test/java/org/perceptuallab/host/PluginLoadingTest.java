package org.perceptuallab.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.runtime.catalog.Registry;
import org.pf4j.PluginClassLoader;

/** Plugin jars dropped into a folder: loaded parent-first, conflicts and broken jars reported. */
class PluginLoadingTest {

    static Path distributedPlugin(String name) {
        Path jar = Path.of(System.getProperty("plab.pluginsDir", "../target/plugins")).resolve(name + ".jar");
        assertThat(jar).as("the reactor builds %s before the host (mvn verify from the root)", jar).isRegularFile();
        return jar;
    }

    static Lab labOver(Path folder) {
        return new Lab(Settings.fromEnvironment().clearPluginDirs().addPluginDir(folder));
    }

    @Test
    void loadsARealPluginJarFromAFolder(@TempDir Path folder) throws Exception {
        Files.copy(distributedPlugin("losses-pixel"), folder.resolve("losses-pixel.jar"));
        try (Lab lab = labOver(folder)) {
            Registry.Entry<LossFamily> l2 = lab.losses().families().require("l2");
            assertThat(l2.origin()).startsWith("plugin losses-pixel ");
            assertThat(l2.extension().getClass().getClassLoader()).isInstanceOf(PluginClassLoader.class);
            // Parent-first: the plugin sees the host's DJL and api classes, not copies of its own.
            assertThat(l2.extension().getClass().getClassLoader().loadClass("ai.djl.ndarray.NDArray"))
                    .isSameAs(ai.djl.ndarray.NDArray.class);
            assertThat(lab.warnings()).isEmpty();
            try (NDManager m = lab.manager().newSubManager();
                 Loss loss = lab.createLoss(LossSpec.of("l2"), m)) {
                var x = m.ones(new Shape(2, 3, 8, 8)).mul(0.5);
                var y = m.zeros(new Shape(2, 3, 8, 8));
                assertThat(loss.distance(x, y).toFloatArray()).containsExactly(0.25f, 0.25f);
            }
        }
    }

    @Test
    void twoPluginsClaimingOneLossIdFailNamingBoth(@TempDir Path folder, @TempDir Path work) throws Exception {
        Files.copy(distributedPlugin("losses-pixel"), folder.resolve("losses-pixel.jar"));
        writePluginJar(work, folder.resolve("my-l2.jar"), "my-l2");
        assertThatThrownBy(() -> labOver(folder).close())
                .isInstanceOf(PlabException.class)
                .hasMessageContaining("loss id 'l2'")
                .hasMessageContaining("losses-pixel")
                .hasMessageContaining("my-l2");
    }

    @Test
    void twoJarsOfOnePluginIdFailNamingBoth(@TempDir Path folder) throws Exception {
        Files.copy(distributedPlugin("losses-pixel"), folder.resolve("losses-pixel.jar"));
        Files.copy(distributedPlugin("losses-pixel"), folder.resolve("losses-pixel-copy.jar"));
        assertThatThrownBy(() -> labOver(folder).close())
                .isInstanceOf(PlabException.class)
                .hasMessageContaining("plugin id 'losses-pixel'")
                .hasMessageContaining("losses-pixel.jar").hasMessageContaining("losses-pixel-copy.jar");
    }

    @Test
    void aBrokenJarIsAWarningNamingItAndTheRestStillLoad(@TempDir Path folder) throws Exception {
        Files.copy(distributedPlugin("losses-pixel"), folder.resolve("losses-pixel.jar"));
        Files.writeString(folder.resolve("broken.jar"), "this is not a zip file");
        try (Lab lab = labOver(folder)) {
            assertThat(lab.warnings()).anySatisfy(w -> assertThat(w).contains("broken.jar"));
            assertThat(lab.losses().families().find("ssim")).isPresent();
        }
    }

    /** Compiles a one-class plugin whose loss family claims the id "l2", and jars it with a PF4J manifest. */
    static void writePluginJar(Path work, Path jar, String pluginId) throws IOException {
        Path src = work.resolve("src/dup/ClaimsL2.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, """
                package dup;
                public final class ClaimsL2 implements org.perceptuallab.api.LossFamily {
                    public String id() { return "l2"; }
                    public String summary() { return "a second l2"; }
                    public org.perceptuallab.api.ParamSpec params() { return org.perceptuallab.api.ParamSpec.of(); }
                    public org.perceptuallab.api.Loss create(org.perceptuallab.api.Params p,
                            org.perceptuallab.api.LossContext c) { throw new UnsupportedOperationException(); }
                }
                """);
        Path classes = work.resolve("classes");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        int rc = javac.run(null, null, null, "-cp", classpath, "-d", classes.toString(), src.toString());
        assertThat(rc).isZero();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Plugin-Id", pluginId);
        manifest.getMainAttributes().putValue("Plugin-Version", "1.0.0");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.putNextEntry(new JarEntry("dup/ClaimsL2.class"));
            out.write(Files.readAllBytes(classes.resolve("dup/ClaimsL2.class")));
            out.putNextEntry(new JarEntry("META-INF/services/" + LossFamily.class.getName()));
            out.write("dup.ClaimsL2\n".getBytes(StandardCharsets.UTF_8));
        }
    }
}
