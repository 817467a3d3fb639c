package org.perceptuallab.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.ApiVersion;

/** A plugin built for api 1.x, dropped into a plugin folder, is refused naming its range and the host's api. */
class OldApiPluginTest {
    private static final String API_1 = ">=1.0.0 & <2.0.0";

    /** A copy of {@code jar} whose manifest states {@code requires}, as a plugin built for that api states it. */
    static Path withRequires(Path jar, Path copy, String requires) throws IOException {
        try (JarFile in = new JarFile(jar.toFile())) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().putValue("Plugin-Requires", requires);
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(copy), manifest)) {
                for (JarEntry e : java.util.Collections.list(in.entries())) {
                    if (!e.getName().equalsIgnoreCase(JarFile.MANIFEST_NAME)) {
                        out.putNextEntry(new JarEntry(e.getName()));
                        in.getInputStream(e).transferTo(out);
                    }
                }
            }
        }
        return copy;
    }

    @Test
    void aPluginBuiltForApi1IsRefusedNamingBothVersions(@TempDir Path folder) throws Exception {
        withRequires(PluginLoadingTest.distributedPlugin("losses-pixel"), folder.resolve("losses-pixel.jar"), API_1);
        try (Lab lab = PluginLoadingTest.labOver(folder)) {
            assertThat(ApiVersion.CURRENT).isEqualTo("2.0.0");
            assertThat(lab.warnings()).singleElement().asString().contains("plugin 'losses-pixel'")
                    .contains("requires api " + API_1).contains("this host provides api 2.0.0")
                    .contains("is not loaded").contains("built for api 2.x");
            assertThat(lab.plugins().plugins()).isEmpty();
            assertThat(lab.losses().families().find("ssim")).isEmpty();
        }
    }

    @Test
    void theSameJarStatingApi2Loads(@TempDir Path folder) throws Exception {
        withRequires(PluginLoadingTest.distributedPlugin("losses-pixel"), folder.resolve("losses-pixel.jar"),
                ApiVersion.REQUIRES);
        try (Lab lab = PluginLoadingTest.labOver(folder)) {
            assertThat(lab.warnings()).isEmpty();
            assertThat(lab.losses().families().find("ssim")).isPresent();
        }
    }
}
