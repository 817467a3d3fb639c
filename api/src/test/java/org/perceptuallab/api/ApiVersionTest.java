package org.perceptuallab.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The version the api states is the release the build checks compatibility against: release/ holds that one
 * jar, and the pom names it, so a breaking change needs a new major version and a new baseline together.
 */
class ApiVersionTest {

    @Test
    void theReleaseJarTheBuildComparesAgainstIsTheStatedVersion() throws IOException {
        List<String> jars;
        try (Stream<Path> files = Files.list(Path.of("release"))) {
            jars = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).toList();
        }
        assertThat(jars).containsExactly("plab-api-" + ApiVersion.CURRENT + ".jar");
        assertThat(Files.readString(Path.of("pom.xml")))
                .contains("<plab.api.release>" + ApiVersion.CURRENT + "</plab.api.release>");
    }

    @Test
    void pluginsRequireThisMajorVersionFromItsFirstRelease() {
        int major = Integer.parseInt(ApiVersion.CURRENT.split("\\.")[0]);
        assertThat(ApiVersion.REQUIRES).isEqualTo(">=" + major + ".0.0 & <" + (major + 1) + ".0.0");
    }
}
