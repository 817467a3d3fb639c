package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.run.Shard;

/** Shard arithmetic: the partition, its balance and determinism, --shard parsing, the stored plan. */
class ShardPlanTest {

    @Test
    void everyCellIsInExactlyOneShardForAnyCountIncludingMoreShardsThanCells() {
        Random random = new Random(3);
        for (int cells = 1; cells <= 12; cells++) {
            List<ShardPlan.Item> items = items(cells, random);
            Map<String, Double> estimates = ShardPlan.estimates(items, Map.of());
            for (int count = 1; count <= 15; count++) {
                Map<String, Integer> shards = ShardPlan.assign(items, estimates, count);
                assertThat(shards).hasSize(cells);
                for (ShardPlan.Item item : items) {
                    assertThat(shards.get(item.id())).isBetween(0, count - 1);
                }
                if (count >= cells) {
                    assertThat(new java.util.HashSet<>(shards.values())).as("one cell per shard").hasSize(cells);
                }
                assertThat(ShardPlan.assign(items, estimates, count)).as("deterministic").isEqualTo(shards);
            }
        }
    }

    @Test
    void theLongestCellsAreSpreadSoNoShardCarriesMoreThanTheMeanPlusOneCell() {
        List<ShardPlan.Item> items = items(40, new Random(8));
        Map<String, Double> estimates = ShardPlan.estimates(items, Map.of());
        double total = estimates.values().stream().mapToDouble(Double::doubleValue).sum();
        double largest = estimates.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        for (int count : new int[] {2, 3, 5, 8}) {
            Map<String, Integer> shards = ShardPlan.assign(items, estimates, count);
            double[] load = new double[count];
            shards.forEach((id, s) -> load[s] += estimates.get(id));
            for (double l : load) {
                assertThat(l).isLessThanOrEqualTo(total / count + largest);
            }
        }
    }

    @Test
    void measuredTimesReplaceTheModelAndCalibrateCellsOfTheSameExperimentAndFamily() {
        List<ShardPlan.Item> items = List.of(
                new ShardPlan.Item("a", "mean", "vgg", "image-mean", "vgg", 10),
                new ShardPlan.Item("b", "mean2", "vgg", "image-mean", "vgg", 20),
                new ShardPlan.Item("c", "mean", "l2", "image-mean", "l2", 1),
                new ShardPlan.Item("d", "afc", "l2", "2afc", "l2", 4));
        Map<String, Double> estimates = ShardPlan.estimates(items, Map.of("a", 50.0, "c", 3.0));
        assertThat(estimates.get("a")).isEqualTo(50.0);
        assertThat(estimates.get("b")).as("same experiment and family: 20 x (50 / 10)").isEqualTo(100.0);
        assertThat(estimates.get("c")).isEqualTo(3.0);
        assertThat(estimates.get("d")).as("no cell of 2afc x l2 finished: the median ratio over all (3 and 5)")
                .isEqualTo(4 * 4.0);
    }

    @Test
    void theStoredPlanRulesOverANewEstimate(@TempDir Path out) {
        List<ShardPlan.Item> items = items(6, new Random(1));
        Map<String, Integer> first = ShardPlan.loadOrCreate(out, "m", List.of(), Map.of(), items, 3, Map.of());
        // Timings measured since would give another partition; a shard started later must still agree.
        Map<String, Double> skewed = new HashMap<>();
        items.forEach(i -> skewed.put(i.id(), i.id().equals("cell0") ? 1e6 : 1.0));
        assertThat(ShardPlan.loadOrCreate(out, "m", List.of(), Map.of(), items, 3, skewed)).isEqualTo(first);
        assertThat(ShardPlan.newest(out)).isPresent();
        assertThat(ShardPlan.newest(out).get().path("cells")).hasSize(6);
    }

    @Test
    void shardsParseFromTheCommandLineAndFromEachScheduler() {
        assertThat(Shard.parse("2/3", Map.of())).isEqualTo(new Shard(2, 3));
        assertThat(Shard.parse("auto", Map.of("SLURM_ARRAY_TASK_ID", "5", "SLURM_ARRAY_TASK_MIN", "4",
                "SLURM_ARRAY_TASK_COUNT", "3"))).isEqualTo(new Shard(1, 3));
        assertThat(Shard.parse("auto", Map.of("SLURM_ARRAY_TASK_ID", "0", "SLURM_ARRAY_TASK_COUNT", "2")))
                .isEqualTo(new Shard(0, 2));
        assertThat(Shard.parse("auto", Map.of("SLURM_ARRAY_TASK_ID", "8", "SLURM_ARRAY_TASK_MIN", "4",
                "SLURM_ARRAY_TASK_STEP", "2", "SLURM_ARRAY_TASK_COUNT", "3"))).as("--array=4-8:2")
                .isEqualTo(new Shard(2, 3));
        assertThat(Shard.parse("auto", Map.of("JOB_COMPLETION_INDEX", "4", "PLAB_SHARD_COUNT", "5")))
                .isEqualTo(new Shard(4, 5));
        assertThatThrownBy(() -> Shard.parse("3/3", Map.of())).isInstanceOf(PlabException.class)
                .hasMessageContaining("0..2");
        assertThatThrownBy(() -> Shard.parse("1-3", Map.of())).isInstanceOf(PlabException.class)
                .hasMessageContaining("K/N");
        assertThatThrownBy(() -> Shard.parse("auto", Map.of())).isInstanceOf(PlabException.class)
                .hasMessageContaining("SLURM_ARRAY_TASK_ID").hasMessageContaining("JOB_COMPLETION_INDEX");
        assertThatThrownBy(() -> Shard.parse("auto", Map.of("JOB_COMPLETION_INDEX", "1")))
                .isInstanceOf(PlabException.class).hasMessageContaining("PLAB_SHARD_COUNT");
    }

    private static List<ShardPlan.Item> items(int n, Random random) {
        List<ShardPlan.Item> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ShardPlan.Item("cell" + i, "e" + (i % 3), "l" + i, "image-mean", "l2",
                    Math.exp(3 * random.nextDouble())));
        }
        return out;
    }
}
