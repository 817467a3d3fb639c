package org.perceptuallab.plugins.pixel;

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
                Arguments.of(new Ssim(), null,
                        "{\"k1\":0.01,\"k2\":0.03,\"sigma\":1.5,\"window\":11}"),
                Arguments.of(new Lap1(), null,
                        "{\"kernelSize\":5,\"levels\":2,\"sigma\":2.0}"),
                Arguments.of(new ElementwiseLosses.Lp(), null,
                        "{\"p\":0.5}"),
                Arguments.of(new CompositeLosses.Pyramid(), "{\"of\":{\"loss\":\"l2\"}}",
                        "{\"levels\":2,\"of\":{\"loss\":\"l2\"}}"),
                Arguments.of(new CompositeLosses.Sum(), "{\"terms\":[{\"weight\":1,\"loss\":\"l1\"},{\"weight\":0.5,\"loss\":\"ssim\",\"params\":{\"window\":7}}]}",
                        "{\"terms\":[{\"weight\":1,\"loss\":\"l1\"},{\"weight\":0.5,\"loss\":\"ssim\",\"params\":{\"window\":7}}]}"));
    }

    @ParameterizedTest
    @MethodSource("families")
    void canonicalJsonIsApi13s(LossFamily family, String given, String expected) throws Exception {
        assertThat(JSON.writeValueAsString(family.params()
                .resolve("loss '" + family.id() + "'", given == null ? null : JSON.readTree(given)).json()))
                .isEqualTo(expected);
    }
}
