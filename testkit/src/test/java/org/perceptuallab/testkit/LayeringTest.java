package org.perceptuallab.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Plugins and examples see the host through the api, the kit and this test kit only: the host's runtime is
 * free to change under them. Reads every Java source under {@code plugins/} and {@code examples/}.
 */
class LayeringTest {
    private static final Pattern RUNTIME_IMPORT =
            Pattern.compile("^\\s*import\\s+(static\\s+)?org\\.perceptuallab\\.runtime\\.", Pattern.MULTILINE);

    @Test
    void noPluginOrExampleImportsTheHostRuntime() throws IOException {
        List<Path> sources = javaSources("plugins", "examples");
        assertThat(sources).as("the sources were found").hasSizeGreaterThan(100);
        assertThat(sources.stream().filter(LayeringTest::importsTheRuntime).map(Fixtures.root()::relativize))
                .as("files importing org.perceptuallab.runtime (use TestLab, TestCell or the test kit's bases)")
                .isEmpty();
    }

    private static List<Path> javaSources(String... folders) throws IOException {
        try (Stream<Path> files = Stream.of(folders).map(Fixtures.root()::resolve).flatMap(LayeringTest::walk)) {
            return files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> !f.toString().contains("/target/")).toList();
        }
    }

    private static Stream<Path> walk(Path dir) {
        try {
            return Files.walk(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean importsTheRuntime(Path file) {
        try {
            return RUNTIME_IMPORT.matcher(Files.readString(file)).find();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
