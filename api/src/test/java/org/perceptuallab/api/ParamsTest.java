package org.perceptuallab.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The canonical JSON of resolved parameters: results' cell keys and hashes are computed from its text, so it
 * must not change for the same values. The expected texts are those api 1.3 printed for the same declarations.
 */
class ParamsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String canonical(ParamSpec spec, String given) throws Exception {
        return JSON.writeValueAsString(spec.resolve("test", given == null ? null : JSON.readTree(given)).json());
    }

    @Test
    void keysAreSortedWholeNumbersIntegralAndRealsDoubles() throws Exception {
        ParamSpec spec = ParamSpec.of(Param.integer("window", 11, 1, 255, "w"), Param.real("sigma", 1.5, 1e-3, 100, "s"),
                Param.real("k1", 0.01, 0, 1, "k1"), Param.real("k2", 0.03, 0, 1, "k2"));
        assertThat(canonical(spec, null)).isEqualTo("{\"k1\":0.01,\"k2\":0.03,\"sigma\":1.5,\"window\":11}");
        assertThat(canonical(spec, "{\"window\": 7.0, \"sigma\": 2, \"k1\": 1}"))
                .isEqualTo("{\"k1\":1.0,\"k2\":0.03,\"sigma\":2.0,\"window\":7}");
    }

    @Test
    void listsChoicesLossesAndWeightsKeepTheirForm() throws Exception {
        Map<String, Double> layers = new LinkedHashMap<>();
        layers.put("pixels", 1.0);
        layers.put("conv1_2", 1.0);
        ParamSpec spec = ParamSpec.of(Param.reals("sigmas", new double[] {0.1, 0.05}, 1e-4, 1e3, "s"),
                Param.choice("kernel", "rbf", List.of("rbf", "dot"), "k"), Param.bool("pad", true, "p"),
                Param.weights("layers", layers, 0, 1e9, "l"), Param.loss("of", null, "o"), Param.SEED,
                Param.string("weights", null, "w"));
        // weights keep the order given, not sorted: a layer order is part of a configuration
        assertThat(canonical(spec, "{\"of\": {\"loss\": \"l2\"}, \"seed\": 7}")).isEqualTo("{\"kernel\":\"rbf\","
                + "\"layers\":{\"pixels\":1.0,\"conv1_2\":1.0},\"of\":{\"loss\":\"l2\"},\"pad\":true,\"seed\":7,"
                + "\"sigmas\":[0.1,0.05]}");
        assertThat(canonical(spec, "{\"of\": {\"loss\": \"l2\"}, \"sigmas\": [1, 2], \"layers\": {\"b\": 2, \"a\": 1}}"))
                .isEqualTo("{\"kernel\":\"rbf\",\"layers\":{\"b\":2,\"a\":1},\"of\":{\"loss\":\"l2\"},\"pad\":true,"
                        + "\"sigmas\":[1.0,2.0]}");
    }

    @Test
    void equalValuesAreEqualParamsAndTheJsonIsACopy() throws Exception {
        ParamSpec spec = ParamSpec.of(Param.integer("n", 3, 0, 9, "n"));
        Params a = spec.resolve("a", null);
        Params b = spec.resolve("b", JSON.readTree("{\"n\": 3}"));
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(spec.resolve("c", JSON.readTree("{\"n\": 4}")));
        a.json().put("n", 8);
        assertThat(a.json().get("n").asInt()).isEqualTo(3);
        assertThat(a.toString()).isEqualTo("{\"n\":3}");
    }

    @Test
    void theJsonEqualsItsTextReadBack() throws Exception {
        ParamSpec spec = ParamSpec.of(Param.integer("n", 3, 0, 9, "n"), Param.real("r", 0.5, 0, 9, "r"), Param.SEED);
        for (String given : new String[] {null, "{\"n\": 4.0, \"r\": 2, \"seed\": 7}", "{\"seed\": 9876543210}"}) {
            var json = spec.resolve("t", given == null ? null : JSON.readTree(given)).json();
            // results files hold this text; a cell's provenance read back from one compares equal
            assertThat(JSON.readTree(JSON.writeValueAsString(json))).as(given).isEqualTo(json);
        }
    }
}
