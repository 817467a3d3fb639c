package org.perceptuallab.host.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.perceptuallab.api.PlabException;

/** HOME/settings.yaml read strictly: a value a key does not accept is an error, never a silent default. */
class SharingSettingsTest {
    @TempDir
    Path home;

    private SharingSettings load(String yaml) throws Exception {
        Files.writeString(home.resolve("settings.yaml"), yaml);
        return SharingSettings.load(home, List.of(), false, false);
    }

    private void assertRefused(String yaml, String... parts) {
        assertThatThrownBy(() -> load(yaml)).isInstanceOf(PlabException.class)
                .hasMessageContaining(home.resolve("settings.yaml").toString()).hasMessageContaining(parts[0])
                .satisfies(e -> assertThat(e.getMessage()).contains(parts));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ture", "\"yes\"", "yes", "enabled", "1", "on", "[true]", "", "\"\""})
    void requireSignatureOtherThanTrueOrFalseIsRefusedNamingTheKeyTheFileAndTheAcceptedValues(String value) {
        assertRefused("requireSignature: " + value + "\n", "requireSignature is ", "it accepts true or false");
    }

    @Test
    void requireSignatureTrueOrFalseIsRead() throws Exception {
        assertThat(load("requireSignature: true\n").requireSignature()).isTrue();
        assertThat(load("requireSignature: false\n").requireSignature()).isFalse();
        assertThat(load("requireSignature: \"true\"\n").requireSignature()).isTrue();
        assertThat(SharingSettings.load(home, List.of(), true, false).requireSignature()).as("the flag").isTrue();
    }

    @Test
    void oneRepositoryGivenAsOneValueIsAListOfOne() throws Exception {
        SharingSettings one = load("repositories: file:///srv/maven\n");
        assertThat(one.repositories()).extracting(SharingSettings.Repository::url).containsExactly("file:///srv/maven");
        assertThat(load("repositories: [file:///a, 'https://b.example/m2']\n").repositories())
                .extracting(SharingSettings.Repository::url).containsExactly("file:///a", "https://b.example/m2");
    }

    @Test
    void repositoriesThatAreNoTextAreRefused() {
        assertRefused("repositories: [1]\n", "repositories is '1'", "a URL or folder, or a list of them");
        assertRefused("repositories: {url: x}\n", "repositories is ", "a URL or folder");
        assertRefused("repositories:\n", "repositories is ''");
        assertRefused("repositories: null\n", "repositories is no value");
        assertRefused("repositories: ['']\n", "repositories is ''");
    }

    @Test
    void networkSettingsAreReadWithTheirUnitsAndDefaultWhereAbsent() throws Exception {
        SharingSettings.Network n = load("network: {connectTimeout: 500ms, readTimeout: 2, deadline: 5m,"
                + " retries: 0}\n").network();
        assertThat(n).isEqualTo(new SharingSettings.Network(Duration.ofMillis(500), Duration.ofSeconds(2),
                Duration.ofMinutes(5), 0));
        assertThat(load("network: {deadline: 1.5s}\n").network()).isEqualTo(new SharingSettings.Network(
                SharingSettings.Network.DEFAULT.connectTimeout(), SharingSettings.Network.DEFAULT.readTimeout(),
                Duration.ofMillis(1500), SharingSettings.Network.DEFAULT.retries()));
        assertThat(load("requireSignature: false\n").network()).isEqualTo(SharingSettings.Network.DEFAULT);
    }

    @Test
    void networkValuesOutsideTheirRangeOrOfAnotherKindAreRefusedNamingTheKey() {
        assertRefused("network: {deadline: soon}\n", "network.deadline is 'soon'", "a duration above 0");
        assertRefused("network: {readTimeout: 0}\n", "network.readTimeout is '0'");
        assertRefused("network: {connectTimeout: 2d}\n", "network.connectTimeout is '2d'");
        assertRefused("network: {deadline: 25h}\n", "network.deadline is '25h'", "at most 1 day");
        assertRefused("network: {retries: -1}\n", "network.retries is '-1'", "a whole number from 0 to 10");
        assertRefused("network: {retries: 1.5}\n", "network.retries is '1.5'");
        assertRefused("network: {retries: many}\n", "network.retries is 'many'");
        assertRefused("network: 30s\n", "network is '30s'", "a mapping of connectTimeout");
        assertRefused("network: {timeout: 30s}\n", "unknown key 'network.timeout'", "network.connectTimeout");
    }

    @Test
    void unknownOrDuplicateKeysAndAFileThatIsNoMappingAreRefused() {
        assertRefused("requireSignatures: true\n", "unknown key 'requireSignatures'", "requireSignature");
        assertRefused("requireSignature: true\nrequireSignature: false\n", "requireSignature");
        assertRefused("- requireSignature\n", "must be a mapping");
    }

    @Test
    void allowUntrustedContradictsARequiredSignature() throws Exception {
        assertThatThrownBy(() -> SharingSettings.load(home, List.of(), true, true))
                .hasMessageContaining("--allow-untrusted contradicts --require-signature");
        Files.writeString(home.resolve("settings.yaml"), "requireSignature: true\n");
        assertThatThrownBy(() -> SharingSettings.load(home, List.of(), false, true))
                .hasMessageContaining("--allow-untrusted contradicts 'requireSignature: true' in "
                        + home.resolve("settings.yaml"));
    }
}
