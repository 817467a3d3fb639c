package org.example.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.ExperimentResult;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.testkit.TestCell;
import org.perceptuallab.testkit.TestLab;

/** What the experiment measures, on losses whose answer is known; the contract is the other test. */
class NearestNeighbourRetrievalTest {

    @Test
    void aLossThatSeesTheCopiesFindsEveryOneAndALossBlindToThemFindsFewer(@TempDir Path work) throws Exception {
        NearestNeighbourRetrieval experiment = new NearestNeighbourRetrieval();
        Path input = work.resolve("input");
        Params params = experiment.params().resolve("test", experiment.tinyRun(input).orElseThrow()
                .put("shift", 0).put("noise", 0.05));
        try (NDManager manager = NDManager.newBaseManager();
             TestCell context = TestLab.onClasspath().cell(manager, 1, work.resolve("out")).optDataRoot(input)
                     .open()) {
            ExperimentResult seeing = experiment.run(params, loss((x, y) -> x.sub(y).square()
                    .reshape(x.getShape().get(0), -1).mean(new int[] {1})), context);
            assertThat(seeing.value("top1")).isEqualTo(1.0);
            assertThat(seeing.value("meanRank")).isEqualTo(1.0);
            assertThat(seeing.value("images")).isEqualTo(4);
            // Every distance equal: each copy ties with all four, so each own copy ranks last.
            ExperimentResult blind = experiment.run(params, loss((x, y) -> x.sub(y).sum(new int[] {1, 2, 3})
                    .mul(0)), context);
            assertThat(blind.value("top1")).isZero();
            assertThat(blind.value("meanRank")).isEqualTo(4.0);
        }
    }

    private static Loss loss(java.util.function.BinaryOperator<ai.djl.ndarray.NDArray> distance) {
        return new Loss() {
            @Override
            public LossSpec spec() {
                return LossSpec.of("test");
            }

            @Override
            public ai.djl.ndarray.NDArray distance(ai.djl.ndarray.NDArray x, ai.djl.ndarray.NDArray y) {
                return distance.apply(x, y);
            }
        };
    }
}
