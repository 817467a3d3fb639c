package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.Settings;
import org.perceptuallab.host.run.CellPlan;
import org.perceptuallab.testkit.Fixtures;

/**
 * The main job on a fresh clone: every loss the shipped quick matrix plans builds with an empty weights folder,
 * so none of its cells can fail for a file a user has not downloaded (a new family whose defaults need one is
 * left out or given parameters in quick.yaml).
 */
class QuickMatrixPlanTest {

    @Test
    void everyLossTheQuickMatrixPlansBuildsWithoutADownloadedFile(@TempDir Path tmp) {
        MatrixSpec quick = MatrixSpec.read(Fixtures.shipped("examples/matrices/quick.yaml"));
        Settings settings = Settings.fromEnvironment().withoutPluginDirs().withPluginDir(MatrixFixtures.pluginsDir())
                .withWeightsDir(tmp.resolve("no-weights")).withSeed(quick.seed());
        try (Lab lab = new Lab(settings)) {
            MatrixPlanner.Plan plan = new MatrixPlanner(lab, new PrintWriter(new StringWriter(), true))
                    .plan(quick, new ResultStore(tmp.resolve("out")), quick.seed());
            Map<String, LossSpec> losses = new LinkedHashMap<>();
            for (CellPlan cell : plan.cells()) {
                losses.putIfAbsent(cell.lossSpec().toString(), cell.lossSpec());
            }
            assertThat(losses.keySet()).as("the new reference metrics are in the main job")
                    .anyMatch(s -> s.startsWith("dists")).anyMatch(s -> s.startsWith("grad-fast"));
            Map<String, String> failures = new LinkedHashMap<>();
            for (Map.Entry<String, LossSpec> e : losses.entrySet()) {
                try (NDManager owner = lab.manager().newSubManager(); Loss loss = lab.createLoss(e.getValue(), owner)) {
                    assertThat(loss.spec().id()).isEqualTo(e.getValue().id());
                } catch (PlabException needsAFile) {
                    failures.put(e.getKey(), needsAFile.getMessage());
                }
            }
            assertThat(failures).isEmpty();
        }
    }
}
