package org.perceptuallab.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class LossSpecTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void parsesAnIdWithOrWithoutParameters() throws Exception {
        LossSpec bare = LossSpec.parse("here: ", JSON.readTree("{\"loss\": \"l2\"}"));
        assertThat(bare).isEqualTo(LossSpec.of("l2"));
        assertThat(bare.params().isEmpty()).isTrue();
        assertThat(bare.toString()).isEqualTo("l2");
        LossSpec ssim = LossSpec.parse("here: ", JSON.readTree("{\"loss\": \"ssim\", \"params\": {\"window\": 7}}"));
        assertThat(ssim.id()).isEqualTo("ssim");
        assertThat(ssim.toString()).isEqualTo("ssim{\"window\":7}");
        assertThat(ssim.json().toString()).isEqualTo("{\"loss\":\"ssim\",\"params\":{\"window\":7}}");
        assertThat(LossSpec.parse("", ssim.json())).isEqualTo(ssim);
    }

    @Test
    void malformedSpecsAreRefusedWhereTheyWereGiven() throws Exception {
        assertThatThrownBy(() -> LossSpec.parse("matrix m: ", JSON.readTree("\"l2\"")))
                .isInstanceOf(PlabException.class)
                .hasMessage("matrix m: expects a loss as {\"loss\": \"id\", \"params\": {...}}, got \"l2\"");
        assertThatThrownBy(() -> LossSpec.parse("matrix m: ", JSON.readTree("{\"loss\": \"l2\", \"params\": 3}")))
                .isInstanceOf(PlabException.class).hasMessage("matrix m: has non-object \"params\": 3");
        assertThatThrownBy(() -> LossSpec.parse("matrix m: ", null)).isInstanceOf(PlabException.class);
    }

    @Test
    void theSpecIsACopyOfWhatWasParsed() throws Exception {
        var node = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(
                "{\"loss\": \"ssim\", \"params\": {\"window\": 7}}");
        LossSpec spec = LossSpec.parse("", node);
        ((com.fasterxml.jackson.databind.node.ObjectNode) node.get("params")).put("window", 9);
        assertThat(spec.params().get("window").asInt()).isEqualTo(7);
        spec.json().with("params").put("window", 5);
        assertThat(spec.params().get("window").asInt()).isEqualTo(7);
    }
}
