package org.perceptuallab.plugins.patch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.perceptuallab.api.LossFamily;

/**
 * The canonical JSON of these families' parameters is the text api 1.3 printed for them (recorded before the
 * move to typed keys): results' cell keys and hashes are computed from it, so it must not change.
 */
class CanonicalParamsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> families() {
        return Stream.of(
                Arguments.of(new MmdApprox(), null,
                        "{\"features\":1024,\"normalizePatch\":\"none\",\"pad\":true,\"patchSize\":3,\"pool\":32,\"poolStride\":16,\"redraw\":true,\"sigma\":0.06,\"stride\":1}"),
                Arguments.of(new PatchSwd(), null,
                        "{\"normalizePatch\":\"none\",\"patchSize\":7,\"projections\":256,\"redraw\":false,\"stride\":1}"),
                Arguments.of(new KernelLosses.PatchMmd(), null,
                        "{\"kernel\":\"rbf\",\"normalizePatch\":\"none\",\"patchSize\":7,\"sigmas\":[0.1,0.05,0.025,0.01],\"stride\":1}"),
                Arguments.of(new Presets.MmdPlusPlus(), null,
                        "{\"features\":512,\"pool\":32,\"poolStride\":16,\"redraw\":true,\"weights\":[0.001,0.05,1.0]}"),
                Arguments.of(new MmdApprox(), "{\"patchSize\":5.0,\"sigma\":1,\"seed\":7,\"redraw\":false}",
                        "{\"features\":1024,\"normalizePatch\":\"none\",\"pad\":true,\"patchSize\":5,\"pool\":32,\"poolStride\":16,\"redraw\":false,\"seed\":7,\"sigma\":1.0,\"stride\":1}"));
    }

    @ParameterizedTest
    @MethodSource("families")
    void canonicalJsonIsApi13s(LossFamily family, String given, String expected) throws Exception {
        assertThat(JSON.writeValueAsString(family.params()
                .resolve("loss '" + family.id() + "'", given == null ? null : JSON.readTree(given)).json()))
                .isEqualTo(expected);
    }
}
