package org.perceptuallab.plugins.twoafc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * The canonical JSON of 2afc's parameters is the text api 1.3 printed (recorded before the move to typed
 * keys): results' cell keys and hashes are computed from it, so it must not change.
 */
class CanonicalParamsTest {
    @Test
    void canonicalJsonIsApi13s() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String given = "{\"data\":\"d\",\"generateFrom\":\"g\"}";
        assertThat(json.writeValueAsString(new TwoAfcExperiment().params().resolve("2afc", json.readTree(given))
                .json())).isEqualTo("{\"batch\":32,\"bootstrap\":1000,\"categories\":\"\",\"data\":\"d\",\"examples\":6,"
                + "\"generateFrom\":\"g\",\"generateSeed\":0,\"generateTriplets\":120,\"maxPerCategory\":0,"
                + "\"redrawPerCall\":false,\"size\":64}");
    }
}
