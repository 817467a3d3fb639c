package org.perceptuallab.plugins.generative;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Progress;
import org.perceptuallab.kit.optim.StepDecay;
import org.perceptuallab.kit.tensor.Draws;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.TestCell;

/** Training keeps no arrays from one epoch to the next: the count after 2 epochs equals the count after 5. */
class TrainerMemoryTest extends CatalogTest {

    @Test
    void epochsLeaveNoArraysBehind(@TempDir Path dir) throws Exception {
        assertThat(arraysAfter(5, dir.resolve("five"))).isEqualTo(arraysAfter(2, dir.resolve("two")));
    }

    private static int arraysAfter(int epochs, Path out) throws Exception {
        Settings s = new Settings(32, 1, 8, 4, Network.Layout.REFERENCE, Init.XAVIER, epochs, 4, StepDecay.fixed(0.01),
                StepDecay.fixed(0.01), false, 1, 3);
        try (NDManager cell = manager.newSubManager(); TransposedConv conv = new TransposedConv(cell);
             Loss loss = lab.loss(LossSpec.of("l2"), cell, 0);
             TestCell folder = lab.cell(cell, 0, out).open()) {
            Draws draws = new Draws(1);
            var train = draws.uniform(cell, new ai.djl.ndarray.types.Shape(10, 1, 32, 32), -1, 1);
            Glo glo = new Glo(cell, s, conv, draws, 10, 0, 2);
            new Trainer("test", s, glo, loss::distance, train, folder.state(), 2).run(Progress.silent(), 1);
            return ((BaseNDManager) cell).getManagedArrays().size();
        }
    }
}
