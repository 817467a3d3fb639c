package org.perceptuallab.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BinaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.SimpleLoss;

/** The facade does what the host does: the same checks on building and calling losses, the same cells. */
class TestLabTest extends CatalogTest {

    /** A parameterless family of this id computing {@code distance}, claiming symmetry. */
    private static LossFamily family(String id, BinaryOperator<NDArray> distance) {
        return new LossFamily() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public String summary() {
                return "a test family";
            }

            @Override
            public ParamSpec params() {
                return ParamSpec.of();
            }

            @Override
            public Loss create(Params params, LossContext context) {
                return SimpleLoss.symmetric(id, params, distance);
            }
        };
    }

    private static final LossFamily MEAN_ABS = family("mean-abs",
            (x, y) -> x.sub(y).abs().reshape(x.getShape().get(0), -1).mean(new int[] {1}));
    /** Claims symmetry but is signed: d(y, x) = -d(x, y). */
    private static final LossFamily SIGNED = family("signed",
            (x, y) -> x.sub(y).reshape(x.getShape().get(0), -1).mean(new int[] {1}));

    @Test
    void checkLossPassesAnHonestFamilyAndFailsOneThatBreaksTheContract() {
        TestLab two = TestLab.of(MEAN_ABS, SIGNED);
        List<CheckOutcome> honest = two.checkLoss(MEAN_ABS, manager);
        assertThat(honest).isNotEmpty().noneMatch(o -> o.status() == CheckOutcome.Status.FAILED);
        assertThat(two.checkLoss(SIGNED, manager)).filteredOn(o -> o.status() == CheckOutcome.Status.FAILED)
                .isNotEmpty().allSatisfy(o -> assertThat(o.subject()).contains("'signed'"));
    }

    @Test
    void aLossIsBuiltAndCalledWithTheHostsChecks() {
        TestLab one = TestLab.of(MEAN_ABS);
        assertThatThrownBy(() -> one.loss("{\"loss\": \"mean-abs\", \"params\": {\"sigma\": 1}}", manager, 0))
                .isInstanceOf(PlabException.class).hasMessageContaining("unknown parameter 'sigma'");
        assertThatThrownBy(() -> one.loss("{\"loss\": \"l2\"}", manager, 0))
                .isInstanceOf(PlabException.class).hasMessageContaining("'l2'");
        try (NDManager m = manager.newSubManager(); Loss loss = one.loss("{\"loss\": \"mean-abs\"}", m, 0)) {
            NDArray x = m.zeros(new Shape(1, 3, 4, 4));
            assertThat(loss.distance(x.add(0.5f), x).getFloat(0)).isEqualTo(0.5f);
            assertThatThrownBy(() -> loss.distance(x.add(3f), x)).isInstanceOf(PlabException.class)
                    .hasMessageContaining("loss 'mean-abs'").hasMessageContaining("outside [-1, 1]");
        }
    }

    @Test
    void aCellOnTheSameFolderResumesWithItsCheckpointsAndMetrics(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("cell");
        try (NDManager m = manager.newSubManager(); TestCell first = lab.cell(m, 5, out).open()) {
            assertThat(first.state().resuming()).isFalse();
            first.state().write("step", os -> os.write(7));
            first.state().metrics().record("loss", 1, 0.25);
        }
        assertThat(TestCell.metrics(out)).containsEntry("loss", List.of(0.25));
        try (NDManager m = manager.newSubManager(); TestCell again = lab.cell(m, 5, out).optDataRoot(dir).open()) {
            assertThat(again.state().resuming()).isTrue();
            assertThat(again.state().find("step")).isPresent();
            assertThat(again.resolve("data.bin")).isEqualTo(dir.resolve("data.bin"));
            assertThat(again.seed()).isEqualTo(5);
        }
    }
}
