package org.perceptuallab.plugins.deep;

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
                Arguments.of(new Lpips(), null,
                        "{\"linearWeights\":\"pretrained\",\"net\":\"alex\"}"),
                Arguments.of(new TrunkLosses.Vgg(), "{}",
                        "{\"imagenetNormalize\":false,\"init\":\"kaiming\",\"layers\":{\"pixels\":1.0,\"conv1_2\":1.0,\"conv2_2\":1.0,\"conv3_3\":1.0,\"conv4_3\":1.0,\"conv5_3\":1.0},\"metric\":\"l1\",\"normFirstConv\":false,\"reinit\":false}"));
    }

    @ParameterizedTest
    @MethodSource("families")
    void canonicalJsonIsApi13s(LossFamily family, String given, String expected) throws Exception {
        assertThat(JSON.writeValueAsString(family.params()
                .resolve("loss '" + family.id() + "'", given == null ? null : JSON.readTree(given)).json()))
                .isEqualTo(expected);
    }
}
