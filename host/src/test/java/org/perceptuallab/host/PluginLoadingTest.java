package org.perceptuallab.host;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.runtime.catalog.Registry;
import org.pf4j.PluginClassLoader;

/**
 * Plugin jars dropped into a folder: loaded as docs/PLUGINS.md says; conflicts, broken jars and missing
 * dependencies reported.
 */
class PluginLoadingTest {

    static Path distributedPlugin(String name) {
        Path jar = Path.of(System.getProperty("plab.pluginsDir", "../target/plugins")).resolve(name + ".jar");
        assertThat(jar).as("the reactor builds %s before the host (mvn verify from the root)", jar).isRegularFile();
        return jar;
    }

    static Lab labOver(Path folder) {
        return new Lab(Settings.fromEnvironment().withoutPluginDirs().withPluginDir(folder));
    }

    @Test
    void loadsARealPluginJarFromAFolder(@TempDir Path folder) throws Exception {
        Files.copy(distributedPlugin("losses-pixel"), folder.resolve("losses-pixel.jar"));
        try (Lab lab = labOver(folder)) {
            Registry.Entry<LossFamily> l2 = lab.losses().families().require("l2");
            assertThat(l2.origin()).startsWith("plugin losses-pixel ");
            assertThat(l2.extension().getClass().getClassLoader()).isInstanceOf(PluginClassLoader.class);
            // The plugin sees the host's DJL and api classes, not copies of its own.
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
    void aSecondPluginClaimingAnInstalledLossIdIsLeftOutWithAWarningAndTheOthersLoad(@TempDir Path folder,
                                                                                   @TempDir Path work) throws Exception {
        Files.copy(distributedPlugin("losses-pixel"), folder.resolve("losses-pixel.jar"));
        writePluginJar(work, folder.resolve("my-l2.jar"), "my-l2");
        try (Lab lab = labOver(folder)) {
            assertThat(lab.losses().families().require("l2").origin()).startsWith("plugin losses-pixel ");
            assertThat(lab.losses().families().find("ssim")).isPresent();
            assertThat(lab.warnings()).singleElement().satisfies(w -> assertThat(w).contains("my-l2.jar")
                    .contains("loss 'l2' is left out").contains("plugin losses-pixel"));
        }
    }

    @Test
    void twoJarsOfOnePluginIdLoadOneAndWarnNamingBoth(@TempDir Path folder) throws Exception {
        Files.copy(distributedPlugin("losses-pixel"), folder.resolve("losses-pixel.jar"));
        Files.copy(distributedPlugin("losses-pixel"), folder.resolve("losses-pixel-copy.jar"));
        try (Lab lab = labOver(folder)) {
            assertThat(lab.losses().families().find("l2")).isPresent();
            assertThat(lab.warnings()).singleElement().satisfies(w -> assertThat(w)
                    .contains("plugin id 'losses-pixel' is taken by")
                    .contains("losses-pixel.jar").contains("losses-pixel-copy.jar"));
        }
    }

    /** A class of a library on the host's class path (Bouncy Castle), which a plugin may bundle in its own version. */
    private static final String HOST_LIBRARY_CLASS = "org.bouncycastle.util.Strings";

    @Test
    void aPluginUsesItsOwnCopyOfAHostLibraryButAlwaysTheHostsApiAndSharedLibraries(@TempDir Path folder,
                                                                                  @TempDir Path work) throws Exception {
        assertThat(Class.forName(HOST_LIBRARY_CLASS)).as("the host has its own copy").isNotNull();
        writePluginJar(work, folder.resolve("bundler.jar"), "bundler", Map.of(
                "bundler.Family", """
                        package bundler;
                        public final class Family implements org.perceptuallab.api.LossFamily {
                            public String id() { return "bundler"; }
                            public String summary() { return org.bouncycastle.util.Strings.class.getName(); }
                            public org.perceptuallab.api.ParamSpec params() {
                                return org.perceptuallab.api.ParamSpec.of();
                            }
                            public org.perceptuallab.api.Loss create(org.perceptuallab.api.Params p,
                                    org.perceptuallab.api.LossContext c) { throw new UnsupportedOperationException(); }
                        }
                        """,
                HOST_LIBRARY_CLASS, "package org.bouncycastle.util; public final class Strings {}",
                "org.perceptuallab.api.LossSpec", "package org.perceptuallab.api; public final class LossSpec {}",
                "com.fasterxml.jackson.databind.PluginOnly",
                "package com.fasterxml.jackson.databind; public final class PluginOnly {}"), "bundler.Family");
        try (Lab lab = labOver(folder)) {
            assertThat(lab.warnings()).isEmpty();
            ClassLoader plugin = lab.losses().families().require("bundler").extension().getClass().getClassLoader();
            assertThat(plugin.loadClass(HOST_LIBRARY_CLASS).getClassLoader()).as("its own Bouncy Castle")
                    .isSameAs(plugin);
            assertThat(plugin.loadClass("org.perceptuallab.api.LossSpec")).as("the host's api, never its copy")
                    .isSameAs(LossSpec.class);
            assertThat(plugin.loadClass("ai.djl.ndarray.NDArray")).isSameAs(ai.djl.ndarray.NDArray.class);
            assertThat(plugin.loadClass("com.fasterxml.jackson.databind.JsonNode"))
                    .isSameAs(com.fasterxml.jackson.databind.JsonNode.class);
            assertThat(plugin.loadClass("com.fasterxml.jackson.databind.PluginOnly").getClassLoader())
                    .as("a class of a shared library that the host lacks: the plugin's").isSameAs(plugin);
            assertThat(plugin.loadClass("java.util.List")).isSameAs(List.class);
        }
    }

    @Test
    void aPluginWhoseDependencyIsMissingIsLeftOutNamingItAndLoadsWithIt(@TempDir Path folder) throws Exception {
        Files.copy(distributedPlugin("losses-patch"), folder.resolve("losses-patch.jar"));
        try (Lab lab = labOver(folder)) {
            assertThat(lab.losses().families().find("mmd++")).isEmpty();
            assertThat(lab.warnings()).singleElement().satisfies(w -> assertThat(w).contains("losses-patch.jar")
                    .contains("needs plugin 'losses-pixel'").contains("not installed"));
        }
        Files.copy(distributedPlugin("losses-pixel"), folder.resolve("losses-pixel.jar"));
        try (Lab lab = labOver(folder); NDManager m = lab.manager().newSubManager();
             Loss mmd = lab.createLoss(LossSpec.of("mmd++"), m)) {
            assertThat(lab.warnings()).isEmpty();
            assertThat(lab.losses().families().require("mmd++").origin()).startsWith("plugin losses-patch ");
        }
    }

    /** Plugin ids that would name no safe folder or file, or garble a terminal. */
    @ParameterizedTest
    @ValueSource(strings = {"..", ".", "/", "a/b", "", " ", "red\u001b[31m", "tab\tid", "-rf"})
    void aMalformedPluginIdDisablesOnlyThatPluginWithOneWarningNamingItsJar(String id, @TempDir Path folder,
                                                                           @TempDir Path work) throws Exception {
        // The jar of the report: a malformed plugin id, and a loss id another plugin installs.
        writePluginJar(work, folder.resolve("claims-l2.jar"), id);
        PlabRun losses = PlabRun.of("losses", "--plugins-dir", folder.toString());
        assertThat(losses.exit()).as(losses.err()).isZero();
        assertThat(losses.out()).contains("l2").contains("ssim");
        assertThat(losses.err().lines().filter(l -> l.contains("claims-l2.jar")))
                .singleElement().satisfies(w -> assertThat(w).contains("plugin id").contains("is malformed"));
        assertThat(losses.err()).doesNotContain("\u001b");
        PlabRun distance = PlabRun.of("distance", "--loss", "l2", CliFaultsTest.PHOTO.toString(),
                CliFaultsTest.PHOTO.toString(), "--plugins-dir", folder.toString());
        assertThat(distance.exit()).as("a later command: %s", distance.err()).isZero();
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
        writePluginJar(work, jar, pluginId, Map.of("dup.ClaimsL2", """
                package dup;
                public final class ClaimsL2 implements org.perceptuallab.api.LossFamily {
                    public String id() { return "l2"; }
                    public String summary() { return "a second l2"; }
                    public org.perceptuallab.api.ParamSpec params() { return org.perceptuallab.api.ParamSpec.of(); }
                    public org.perceptuallab.api.Loss create(org.perceptuallab.api.Params p,
                            org.perceptuallab.api.LossContext c) { throw new UnsupportedOperationException(); }
                }
                """), "dup.ClaimsL2");
    }

    /**
     * Compiles these classes (by name) against the test class path and jars them with a PF4J manifest and a
     * META-INF/services entry naming {@code lossFamily} as a loss family.
     */
    static void writePluginJar(Path work, Path jar, String pluginId, Map<String, String> sources, String lossFamily)
            throws IOException {
        Path classes = work.resolve("classes-" + pluginId.hashCode());
        List<String> args = new ArrayList<>(List.of("-cp", System.getProperty("surefire.test.class.path",
                System.getProperty("java.class.path")), "-d", classes.toString()));
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path src = work.resolve("src/" + source.getKey().replace('.', '/') + ".java");
            Files.createDirectories(src.getParent());
            Files.writeString(src, source.getValue());
            args.add(src.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac.run(null, null, null, args.toArray(String[]::new))).isZero();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Plugin-Id", pluginId);
        manifest.getMainAttributes().putValue("Plugin-Version", "1.0.0");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
             Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(file));
            }
            out.putNextEntry(new JarEntry("META-INF/services/" + LossFamily.class.getName()));
            out.write((lossFamily + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }
}
