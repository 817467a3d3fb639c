package org.perceptuallab.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parameters as a loss or experiment declares them, checked and made canonical by the api alone. */
class ParamSpecTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ParamSpec SPEC = ParamSpec.of(
            Param.integer("window", 11, 3, 31, "window side"),
            Param.real("sigma", 1.5, 0.1, 10, "blur"),
            Param.choice("metric", "l2", List.of("l1", "l2"), "distance"),
            Param.bool("redraw", false, "redraw per call"),
            Param.seed());

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) JSON.readTree(text);
    }

    @Test
    void defaultsFillInAndTheCanonicalFormSortsKeysAndLeavesAnUnsetOptionalOut() throws Exception {
        Params p = SPEC.resolve("loss 'x'", json("{\"sigma\": 2, \"metric\": \"l1\"}"));
        assertThat(p.json().toString()).isEqualTo("{\"metric\":\"l1\",\"redraw\":false,\"sigma\":2.0,\"window\":11}");
        assertThat(p.getInt("window")).isEqualTo(11);
        assertThat(p.getDouble("sigma")).isEqualTo(2.0);
        assertThat(p.has("seed")).isFalse();
        assertThat(p).isEqualTo(SPEC.resolve("loss 'x'", json("{\"metric\": \"l1\", \"sigma\": 2.0, \"window\": 11}")));
    }

    @Test
    void aValueOutOfItsRangeOrOfTheWrongTypeIsRefusedNamingOwnerParameterAndAllowedValues() {
        assertThatThrownBy(() -> SPEC.resolve("loss 'x'", json("{\"window\": 99}"))).isInstanceOf(PlabException.class)
                .hasMessage("loss 'x': parameter 'window' must be in [3, 31], got 99");
        assertThatThrownBy(() -> SPEC.resolve("loss 'x'", json("{\"window\": 3.5}")))
                .hasMessageContaining("'window' must be a whole number, got 3.5");
        assertThatThrownBy(() -> SPEC.resolve("loss 'x'", json("{\"metric\": \"l3\"}")))
                .hasMessageContaining("'metric' must be one of l1, l2, got \"l3\"");
        assertThatThrownBy(() -> SPEC.resolve("loss 'x'", json("{\"redraw\": \"yes\"}")))
                .hasMessageContaining("'redraw' must be true or false");
        assertThatThrownBy(() -> SPEC.resolve("loss 'x'", json("{\"sigma\": \"NaN\"}")))
                .hasMessageContaining("'sigma' must be a number");
    }

    @Test
    void anUnknownParameterIsRefusedWithTheNearestKnownName() {
        assertThatThrownBy(() -> SPEC.resolve("loss 'x'", json("{\"windw\": 5}")))
                .hasMessageContaining("unknown parameter 'windw'").hasMessageContaining("'window'")
                .hasMessageContaining("known: window, sigma, metric, redraw, seed");
    }

    @Test
    void aLossParameterWithoutADefaultIsRequired() throws Exception {
        ParamSpec composite = ParamSpec.of(Param.loss("inner", null, "the loss inside"));
        assertThatThrownBy(() -> composite.resolve("loss 'c'", null))
                .hasMessage("loss 'c': parameter 'inner' is required (the loss inside)");
        assertThat(composite.resolve("loss 'c'", json("{\"inner\": {\"loss\": \"l2\"}}")).getLoss("inner"))
                .isEqualTo(LossSpec.of("l2"));
    }

    @Test
    void aRequiredParameterWithoutADefaultMustBeGivenAndAnUndeclaredOneCannotBeRequired() throws Exception {
        ParamSpec spec = ParamSpec.of(Param.string("data", null, "a folder of images"), Param.integer("size", 32, 1,
                512, "side")).requiring("data");
        assertThatThrownBy(() -> spec.resolve("experiment 'e'", json("{\"size\": 16}")))
                .isInstanceOf(PlabException.class)
                .hasMessage("experiment 'e': parameter 'data' is required (a folder of images)");
        assertThat(spec.resolve("experiment 'e'", json("{\"data\": \"faces\"}")).getString("data")).isEqualTo("faces");
        assertThat(SPEC.resolve("loss 'x'", null).has("seed")).as("optional unless required").isFalse();
        assertThatThrownBy(() -> SPEC.requiring("size")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("required parameter not declared: size");
    }

    @Test
    void aLossSpecParsesFromItsJsonFormAndRefusesAnyOther() throws Exception {
        LossSpec spec = LossSpec.parse("here: ", json("{\"loss\": \"ssim\", \"params\": {\"window\": 7}}"));
        assertThat(spec.id()).isEqualTo("ssim");
        assertThat(spec.json()).isEqualTo(json("{\"loss\": \"ssim\", \"params\": {\"window\": 7}}"));
        assertThat(spec).hasToString("ssim{\"window\":7}");
        assertThatThrownBy(() -> LossSpec.parse("here: ", json("{\"id\": \"ssim\"}")))
                .hasMessageStartingWith("here: expects a loss as");
        assertThatThrownBy(() -> LossSpec.parse("here: ", json("{\"loss\": \"ssim\", \"params\": 3}")))
                .hasMessage("here: has non-object \"params\": 3");
    }
}
