package org.perceptuallab.host.share;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.fuzz.TextMutations;
import org.perceptuallab.host.provenance.Coordinates;
import org.perceptuallab.testkit.Fuzz;

/**
 * A repository's version list ({@code maven-metadata.xml}), the one file a plugin install parses before any
 * checksum of ours is known, fed mutated copies of a published one: listing the versions gives a version or
 * nothing, or refuses with a {@link PlabException}; never another exception. Most tries carry checksums
 * matching the mutated file (a publisher's broken upload), so the parser itself is reached.
 */
class MavenMetadataFuzzTest {
    private static final Coordinates RANGE = Coordinates.parse("org.lab-a:shared-loss:[1.0,2.0)");

    @TempDir
    static Path tmp;
    private static Path metadata;
    private static String published;
    private static SharingSettings settings;

    @BeforeAll
    static void publish() throws Exception {
        Path repository = tmp.resolve("repo");
        Path jar = ShareFixtures.pluginJar(tmp.resolve("build"), "shared", PluginSharingTest.V1, null);
        Publisher.publish(jar, null, SharingSettings.load(tmp.resolve("publisher"), List.of(repository.toString()),
                false, false), null);
        metadata = repository.resolve("org/lab-a/shared-loss/maven-metadata.xml");
        published = Files.readString(metadata);
        settings = SharingSettings.load(tmp.resolve("lab"), List.of(repository.toUri().toString()), false, false);
    }

    @Test
    void aMutatedVersionListGivesAVersionOrARefusal() {
        Fuzz.run(25041L, random -> aMutatedVersionListGivesAVersionOrARefusal(random.nextLong()));
    }

    private void aMutatedVersionListGivesAVersionOrARefusal(long draw) throws Exception {
        String mutated = TextMutations.mutate(published, draw);
        Files.writeString(metadata, mutated);
        // One try in eight keeps the published checksums: a file changed after upload.
        byte[] checksummed = (draw & 7) == 0 ? published.getBytes(StandardCharsets.UTF_8)
                : mutated.getBytes(StandardCharsets.UTF_8);
        for (String algorithm : List.of("SHA-256", "SHA-1", "MD5")) {
            Files.writeString(metadata.resolveSibling("maven-metadata.xml." + algorithm.replace("-", "").toLowerCase()),
                    HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(checksummed)));
        }
        try (MavenRepositories repositories = new MavenRepositories(settings)) {
            Optional<String> newest = repositories.newest(RANGE);
            newest.ifPresent(version -> assertThat(version).isNotBlank());
        } catch (PlabException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }
}
