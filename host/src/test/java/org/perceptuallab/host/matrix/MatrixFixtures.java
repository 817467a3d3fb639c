package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
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
        for (String plugin : new String[] {"losses-pixel", "losses-deep", "experiment-image-mean", "experiment-2afc",
                "experiment-clustering", "experiment-style-transfer"}) {
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

    /**
     * Runs a matrix file quietly with a lab of that seed, checks that each of its {@code cells} cells finished
     * (a failed one is named with its error) and returns the cells of results.json.
     */
    static JsonNode runEveryCell(Path file, Path output, long seed, int cells) throws IOException {
        MatrixRunner.Outcome outcome;
        try (Lab lab = lab(seed)) {
            outcome = new MatrixRunner(lab, new PrintWriter(new StringWriter(), true)).run(MatrixSpec.read(file), output);
        }
        JsonNode results = results(output).get("cells");
        for (JsonNode c : results) {
            assertThat(c.path("status").asText()).as(c.path("error").asText()).isEqualTo("done");
        }
        assertThat(results).hasSize(cells);
        assertThat(outcome.done()).isEqualTo(cells);
        return results;
    }

    static JsonNode results(Path output) throws IOException {
        return ResultStore.JSON.readTree(output.resolve("results.json").toFile());
    }
}
