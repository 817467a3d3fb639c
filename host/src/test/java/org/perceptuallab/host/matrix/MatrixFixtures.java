package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.Settings;

/** Shared set-up of the matrix tests: the distribution's plugins, the bundled photos, small matrices. */
final class MatrixFixtures {
    private MatrixFixtures() {
    }

    static Path pluginsDir() {
        Path dir = Path.of(System.getProperty("plab.pluginsDir", "../target/plugins"));
        for (String plugin : new String[] {"losses-pixel", "experiment-image-mean", "experiment-2afc",
                "experiment-clustering"}) {
            assertThat(dir.resolve(plugin + ".jar")).as("the reactor builds %s before the host", plugin).isRegularFile();
        }
        return dir;
    }

    static Lab lab(long seed) {
        return new Lab(Settings.fromEnvironment().clearPluginDirs().addPluginDir(pluginsDir()).seed(seed));
    }

    static Path write(Path dir, String name, String yaml) throws IOException {
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve(name), yaml);
    }

    static JsonNode results(Path output) throws IOException {
        return ResultStore.JSON.readTree(output.resolve("results.json").toFile());
    }
}
