package org.perceptuallab.plugins.deep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.ExperimentResult;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.Params;
import org.perceptuallab.kit.io.DecodedImages;
import org.perceptuallab.kit.io.NumpyArrays;
import org.perceptuallab.kit.io.SyntheticImages;
import org.perceptuallab.kit.io.TwoAfcSets;
import org.perceptuallab.kit.weights.WeightFiles;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.TestCell;

/**
 * lpips-calibration on a random SqueezeNet's lpips: it learns the seven layers' 2,240 weights on a few triplets,
 * and the file it writes loads in lpips squeeze, which then scores the held-out set as the calibration reported.
 */
class LpipsCalibrationOnSqueezeTest extends CatalogTest {
    private static final int SIZE = 32;
    private static final String SQUEEZE = "{\"net\": \"squeeze\", \"seed\": 5";

    @TempDir
    Path tmp;

    @Test
    void calibratingSqueezeWritesSevenLayersThatLpipsSqueezeLoadsAndScoresAsReported() throws IOException {
        Path train = twoAfcSet(tmp.resolve("train"), 12, 1);
        Path test = twoAfcSet(tmp.resolve("test"), 6, 2);
        LpipsCalibration calibration = new LpipsCalibration();
        ObjectNode given = JsonNodeFactory.instance.objectNode().put("data", "train").put("test", "test")
                .put("size", SIZE).put("epochs", 2).put("decayEpochs", 1).put("batch", 4);
        Params params = calibration.params().resolve("test", given);
        Path out = Files.createDirectories(tmp.resolve("cell"));
        ExperimentResult result;
        try (NDManager cell = manager.newSubManager();
             Loss ones = TestLosses.create(cell, "lpips", SQUEEZE + ", \"linearWeights\": \"ones\"}", null);
             TestCell context = lab.cell(cell, 0, out).optDataRoot(tmp).open()) {
            result = calibration.run(params, ones, context);
        }
        assertThat(result.details().get("channels").asInt()).isEqualTo(64 + 128 + 256 + 384 + 384 + 512 + 512);
        Path written = out.resolve("lpips-linear.npz");
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> layers = WeightFiles.read(written, scope, k -> true);
            long[] channels = {64, 128, 256, 384, 384, 512, 512};
            assertThat(layers).hasSize(channels.length);
            double moved = 0;
            for (int i = 0; i < channels.length; i++) {
                NDArray layer = layers.get(Lpips.linearKey(i));
                assertThat(layer.getShape()).isEqualTo(new Shape(1, channels[i], 1, 1));
                moved = Math.max(moved, layer.sub(1).abs().max().getFloat());
            }
            assertThat(moved).as("largest change from the starting weights of 1").isGreaterThan(1e-3);
        }
        try (Loss calibrated = TestLosses.create(manager, "lpips", SQUEEZE + ", \"linearWeights\": \"" + written
                + "\"}", null)) {
            assertThat(score(calibrated, test)).as("lpips squeeze with the written weights, on the held-out set")
                    .isCloseTo(result.value("score"), within(1e-9));
        }
    }

    /** {@code n} triplets of synthetic images in the BAPPS layout, judgements drawn from {@code seed}. */
    private static Path twoAfcSet(Path root, int n, long seed) throws IOException {
        Random r = new Random(seed);
        Path category = root.resolve("synthetic");
        Files.createDirectories(category.resolve("judge"));
        for (int i = 0; i < n; i++) {
            String name = String.format("%06d", i);
            for (String part : List.of("ref", "p0", "p1")) {
                SyntheticImages.write(category.resolve(part).resolve(name + ".png"), SIZE, r.nextLong());
            }
            try (NDManager scope = manager.newSubManager();
                 OutputStream judge = Files.newOutputStream(category.resolve("judge").resolve(name + ".npy"))) {
                NumpyArrays.writeNpy(scope.create(new float[] {r.nextFloat()}), judge);
            }
        }
        return root;
    }

    /** The 2AFC score of {@code loss} on the set. */
    private static double score(Loss loss, Path root) {
        try (NDManager scope = manager.newSubManager()) {
            List<TwoAfcSets.Triplet> triplets = TwoAfcSets.triplets("test", scope, root, "synthetic", 0);
            List<Path> files = new ArrayList<>();
            for (TwoAfcSets.Triplet t : triplets) {
                files.addAll(List.of(t.ref(), t.p0(), t.p1()));
            }
            double sum = 0;
            try (DecodedImages images = DecodedImages.open(files, 3, SIZE, SIZE, Optional.empty())) {
                NDArray all = images.batch(scope, 0, files.size());
                for (int i = 0; i < triplets.size(); i++) {
                    NDArray ref = all.get(new NDIndex("{}:{}", 3 * i, 3 * i + 1));
                    double d0 = loss.distance(ref, all.get(new NDIndex("{}:{}", 3 * i + 1, 3 * i + 2))).getFloat(0);
                    double d1 = loss.distance(ref, all.get(new NDIndex("{}:{}", 3 * i + 2, 3 * i + 3))).getFloat(0);
                    sum += TwoAfcSets.score(d0, d1, triplets.get(i).judge());
                }
            }
            return sum / triplets.size();
        }
    }
}
