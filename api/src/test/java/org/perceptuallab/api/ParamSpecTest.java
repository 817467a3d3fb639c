package org.perceptuallab.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParamSpecTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Param<Integer> PATCH_SIZE = Param.integer("patchSize", 3, 1, 64, "patch side");
    private static final Param<String> MODE = Param.choice("mode", "none", List.of("none", "mean"), "normalisation");
    private static final Param<String> DATA = Param.string("data", null, "a folder of images").required();
    private static final Param<Double> SIGMA = Param.optionalReal("sigma", 0, 10, "bandwidth");
    private static final ParamSpec SPEC = ParamSpec.of(PATCH_SIZE, MODE, DATA, SIGMA, Param.SEED);

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void resolveFillsDefaultsAndReadsTypedValues() throws Exception {
        Params p = SPEC.resolve("loss 'x'", json("{\"mode\": \"mean\", \"data\": \"d\", \"patchSize\": 5.0}"));
        int size = p.get(PATCH_SIZE);
        assertThat(size).isEqualTo(5);
        assertThat(p.get(MODE)).isEqualTo("mean");
        assertThat(p.get(DATA)).isEqualTo("d");
        assertThat(p.find(SIGMA)).isEmpty();
        assertThat(p.find(Param.SEED)).isEmpty();
        assertThatThrownBy(() -> p.get(SIGMA)).isInstanceOf(PlabException.class)
                .hasMessage("loss 'x': parameter 'sigma' has no value");
    }

    @Test
    void aRequiredParameterNotGivenFailsNamingItAndItsHelp() {
        assertThatThrownBy(() -> SPEC.resolve("experiment 'e'", null)).isInstanceOf(PlabException.class)
                .hasMessage("experiment 'e': parameter 'data' is required (a folder of images)");
        assertThat(DATA.isRequired()).isTrue();
        assertThat(DATA.defaultValue()).isNull();
        assertThat(Param.integer("n", 1, 0, 9, "n").required().defaultValue()).isNull();
        assertThat(PATCH_SIZE.isRequired()).isFalse();
    }

    @Test
    void badValuesAreNamedWithTheAllowedOnes() throws Exception {
        assertThatThrownBy(() -> SPEC.resolve("loss 'x'", json("{\"data\": \"d\", \"patchSize\": 0}")))
                .isInstanceOf(PlabException.class)
                .hasMessage("loss 'x': parameter 'patchSize' must be in [1, 64], got 0");
        assertThatThrownBy(() -> SPEC.resolve("loss 'x'", json("{\"data\": \"d\", \"patchSize\": 2.5}")))
                .isInstanceOf(PlabException.class).hasMessageContaining("must be a whole number, got 2.5");
        assertThatThrownBy(() -> SPEC.resolve("loss 'x'", json("{\"data\": \"d\", \"mode\": \"std\"}")))
                .isInstanceOf(PlabException.class).hasMessageContaining("must be one of none, mean, got \"std\"");
        assertThatThrownBy(() -> SPEC.resolve("loss 'x'", json("{\"data\": \"d\", \"patchsize\": 3}")))
                .isInstanceOf(PlabException.class)
                .hasMessageContaining("unknown parameter 'patchsize'").hasMessageContaining("patchSize");
        assertThatThrownBy(() -> SPEC.resolve("loss 'x'", json("[1]"))).isInstanceOf(PlabException.class)
                .hasMessageContaining("parameters must be a JSON object");
    }

    @Test
    void aKeyTheSpecDoesNotDeclareIsRefused() throws Exception {
        Params p = SPEC.resolve("loss 'x'", json("{\"data\": \"d\"}"));
        Param<Integer> other = Param.integer("other", 1, 0, 9, "not in the spec");
        Param<Double> retyped = Param.real("patchSize", 3, 1, 64, "the right name, another type");
        assertThatThrownBy(() -> p.get(other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("other");
        assertThatThrownBy(() -> p.get(retyped)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("declared as patchSize (INT)");
    }

    @Test
    void aDeclarationItsOwnChecksRejectCannotBeBuilt() {
        assertThatThrownBy(() -> Param.real("eps", 5, 0, 1, "smoothing")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the default: parameter 'eps' must be in [0, 1], got 5.0");
        assertThatThrownBy(() -> Param.choice("mode", "std", List.of("none"), "m"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be one of none");
        assertThatThrownBy(() -> Param.integer("n", 1, 5, 2, "n")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter 'n': its range [5, 2] is empty");
        assertThatThrownBy(() -> Param.reals("w", new double[] {}, 0, 1, "w"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-empty list");
        assertThatThrownBy(() -> ParamSpec.of(PATCH_SIZE, Param.integer("patchSize", 1, 0, 2, "again")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("parameter declared twice: patchSize");
    }

    @Test
    void everyTypeReadsBackAsItsJavaType() throws Exception {
        Param<Boolean> flag = Param.bool("flag", false, "a flag");
        Param<double[]> reals = Param.reals("reals", new double[] {1, 2}, 0, 10, "reals");
        Param<LossSpec> of = Param.loss("of", null, "inner loss");
        Param<LossSpec> content = Param.configuredLoss("content", new LossSpec("vgg",
                JSON.createObjectNode().put("metric", "l2")), "content loss");
        Param<List<Map.Entry<Double, LossSpec>>> terms = Param.terms("terms", "terms");
        Param<Map<String, Double>> layers = Param.weights("layers", Map.of("conv1", 1.0), 0, 10, "layers");
        ParamSpec spec = ParamSpec.of(flag, reals, of, content, terms, layers, Param.SEED);
        Params p = spec.resolve("loss 's'", json("{\"flag\": true, \"of\": {\"loss\": \"l2\"}, \"seed\": 7,"
                + " \"terms\": [{\"weight\": 0.5, \"loss\": \"l1\", \"params\": {\"a\": 1}}],"
                + " \"layers\": {\"b\": 2, \"a\": 1}}"));
        assertThat(p.get(flag)).isTrue();
        assertThat(p.get(reals)).containsExactly(1.0, 2.0);
        assertThat(p.get(of)).isEqualTo(LossSpec.of("l2"));
        assertThat(p.get(content).id()).isEqualTo("vgg");
        assertThat(p.get(content).params().get("metric").asText()).isEqualTo("l2");
        assertThat(p.get(terms)).hasSize(1);
        assertThat(p.get(terms).get(0).getKey()).isEqualTo(0.5);
        assertThat(p.get(terms).get(0).getValue().toString()).isEqualTo("l1{\"a\":1}");
        assertThat(p.get(layers)).containsExactly(Map.entry("b", 2.0), Map.entry("a", 1.0));
        long seed = p.get(Param.SEED);
        assertThat(seed).isEqualTo(7L);
        // the array read is a copy: a plugin that edits it does not change the parameters
        p.get(reals)[0] = 9;
        assertThat(p.get(reals)).containsExactly(1.0, 2.0);
        assertThatThrownBy(() -> spec.resolve("loss 's'", json("{}"))).isInstanceOf(PlabException.class)
                .hasMessageContaining("parameter 'of' is required");
    }

    @Test
    void theLossSeedIsItsOwnElseTheRuns() throws Exception {
        ParamSpec spec = ParamSpec.of(Param.SEED);
        LossContext run = new LossContext() {
            public ai.djl.ndarray.NDManager manager() {
                throw new UnsupportedOperationException();
            }

            public long seed() {
                return 42;
            }

            public LossFactory losses() {
                throw new UnsupportedOperationException();
            }

            public java.util.Optional<java.nio.file.Path> weightsDir() {
                return java.util.Optional.empty();
            }
        };
        assertThat(run.seed(spec.resolve("loss 'r'", null))).isEqualTo(42L);
        assertThat(run.seed(spec.resolve("loss 'r'", json("{\"seed\": 5}")))).isEqualTo(5L);
    }

    @Test
    void listingsSeeDeclarationsInOrder() {
        assertThat(SPEC.params()).extracting(Param::name).containsExactly("patchSize", "mode", "data", "sigma", "seed");
        assertThat(SPEC.get("mode")).containsSame(MODE);
        assertThat(SPEC.get("nothing")).isEmpty();
        assertThat(PATCH_SIZE.rangeText()).isEqualTo("[1, 64]");
        assertThat(MODE.rangeText()).isEqualTo("one of none, mean");
        assertThat(Param.SEED.rangeText()).isEqualTo("[0, inf]");
        assertThat(DATA.rangeText()).isEmpty();
    }
}
