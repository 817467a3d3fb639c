package org.perceptuallab.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.host.cli.ExitCodes;
import org.perceptuallab.kit.io.Images;
import org.perceptuallab.kit.io.SyntheticImages;
import org.perceptuallab.kit.metrics.FeatureStatistics;
import org.perceptuallab.kit.metrics.FrechetDistance;
import org.perceptuallab.kit.nets.InceptionV3;

/** {@code plab fid} end to end, in process, on generated images. */
class FidCommandTest {
    static final int IMAGES = 6;
    static final int SIZE = 12;

    @TempDir
    static Path dir;
    static Path a;
    static Path b;

    @BeforeAll
    static void images() throws Exception {
        a = Files.createDirectories(dir.resolve("a"));
        b = Files.createDirectories(dir.resolve("b"));
        for (int i = 0; i < IMAGES; i++) {
            SyntheticImages.write(a.resolve("img" + i + ".png"), SIZE, i);
            SyntheticImages.write(b.resolve("img" + i + ".png"), SIZE, 100 + i);
        }
    }

    @Test
    void fidAndKidInALossFeatureSpaceMatchTheKitOnThatFeatureMap() throws Exception {
        PlabRun text = PlabRun.of("fid", a.toString(), b.toString(), "--features", "l2", "--kid", "--batch", "4");
        assertThat(text.exit()).as(text.err()).isZero();
        assertThat(text.out()).contains("FID in l2 feature space: ").contains("KID in l2 feature space: ")
                .contains("6 and 6 images, " + 3 * SIZE * SIZE + " features").doesNotContain("FID: ");
        PlabRun json = PlabRun.of("fid", a.toString(), b.toString(), "--features", "l2", "--kid", "--json");
        assertThat(json.exit()).as(json.err()).isZero();
        JsonNode scores = new ObjectMapper().readTree(json.out());
        assertThat(scores.get("features").asText()).isEqualTo("l2");
        assertThat(scores.get("kidSubsetSize").asInt()).isEqualTo(IMAGES);
        double expected = fidThroughTheFeatureMap("l2");
        assertThat(expected).isGreaterThan(1e-3);
        assertThat(scores.get("fid").asDouble()).isCloseTo(expected, within(1e-9 * expected));
        assertThat(scores.get("kid").asDouble()).isGreaterThan(0);

        PlabRun same = PlabRun.of("fid", a.toString(), a.toString(), "--features", "l2", "--json");
        assertThat(new ObjectMapper().readTree(same.out()).get("fid").asDouble()).isCloseTo(0, within(1e-9));
    }

    private static double fidThroughTheFeatureMap(String lossId) throws Exception {
        try (Lab lab = new Lab(Settings.fromEnvironment());
             NDManager m = NDManager.newBaseManager();
             Loss loss = lab.createLoss(new LossSpec(lossId, JsonNodeFactory.instance.objectNode()), m)) {
            return FrechetDistance.between(FeatureStatistics.of(features(loss, a, m)),
                    FeatureStatistics.of(features(loss, b, m)));
        }
    }

    private static NDArray features(Loss loss, Path folder, NDManager m) throws Exception {
        NDList images = new NDList();
        for (int i = 0; i < IMAGES; i++) {
            images.add(Images.load(m, folder.resolve("img" + i + ".png"), 3, 0, 0));
        }
        return loss.featureMap().orElseThrow().features(NDArrays.concat(images, 0));
    }

    @Test
    void aLossWithoutAFeatureMapOrWithTooManyFeaturesIsExit2NamingTheFix() {
        PlabRun run = PlabRun.of("fid", a.toString(), b.toString(), "--features", "ssim");
        assertThat(run.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains("loss 'ssim' has no exact feature map").contains("inception or one of")
                .contains("l2");
        PlabRun wide = PlabRun.of("fid", a.toString(), b.toString(), "--features", "l2", "--resize", "40");
        assertThat(wide.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(wide.err()).contains("l2 gives 4800 features per image, more than the 4096");
    }

    @Test
    void missingInceptionWeightsSayWhereTheyWereSoughtAndHowToGetThem(@TempDir Path weights) {
        PlabRun run = PlabRun.of("fid", a.toString(), b.toString(), "--weights-dir", weights.toString());
        assertThat(run.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains(weights.resolve(InceptionV3.WEIGHTS_FILE).toAbsolutePath().toString())
                .contains("does not exist").contains(InceptionV3.WEIGHTS_URL);
        PlabRun given = PlabRun.of("fid", a.toString(), b.toString(), "--weights", "nowhere.pth");
        assertThat(given.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(given.err()).contains("--weights names nowhere.pth, which does not exist");
    }
}
