package org.perceptuallab.plugins.deep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.testkit.TorchZipFiles;

/**
 * Every deep loss checks, when called, that its trunk can take the batch: three channels, and images large
 * enough for its pooling; the message names the loss, the need and the fix, and the minimum it names works.
 * A damaged or non-finite weights file is an error naming it, never a NaN distance.
 */
class DeepInputsTest {
    private static NDManager manager;
    @TempDir
    static Path tmp;
    private static String lpipsParams;

    @BeforeAll
    static void start() throws IOException {
        manager = NDManager.newBaseManager();
        // LPIPS's linear layers for AlexNet (random, positive), written by the test.
        Path linear = tmp.resolve("alex-linear.npz");
        long[] channels = {64, 192, 384, 256, 256};
        NDList arrays = new NDList();
        for (int i = 0; i < channels.length; i++) {
            NDArray w = manager.randomUniform(0, 1, new Shape(1, channels[i], 1, 1));
            w.setName("lin" + i + ".model.1.weight");
            arrays.add(w);
        }
        try (OutputStream out = Files.newOutputStream(linear)) {
            arrays.encode(out, NDList.Encoding.NPZ);
        }
        lpipsParams = "{\"net\": \"alex\", \"linearWeights\": \"" + linear + "\"}";
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static Loss create(NDManager m, String id) {
        String params = switch (id) {
            case "lpips" -> lpipsParams;
            case "dists" -> "{\"weights\": \"random\", \"alphaBeta\": \"uniform\"}";
            default -> "{}";
        };
        return TestLosses.create(m, id, params, null);
    }

    /** Weights the conv1_1-only vgg needs, as a torch.save zip; {@code poison} puts a NaN in the bias. */
    private static Path vggConv1Weights(String name, boolean poison) throws IOException {
        Path file = tmp.resolve(name);
        try (NDManager m = manager.newSubManager()) {
            NDArray bias = m.zeros(new Shape(64));
            if (poison) {
                bias.set(new ai.djl.ndarray.index.NDIndex(3), Float.NaN);
            }
            TorchZipFiles.write(file, Map.of("features.0.weight", m.randomNormal(new Shape(64, 3, 3, 3)).mul(0.1f),
                    "features.0.bias", bias));
        }
        return file;
    }

    @Test
    void aDamagedOrNonFiniteWeightsFileIsAnErrorNamingItNotANaNDistance() throws IOException {
        String layers = ", \"layers\": {\"conv1_1\": 1}}";
        Path good = vggConv1Weights("good.pth", false);
        try (NDManager m = manager.newSubManager();
             Loss loss = TestLosses.create(m, "vgg", "{\"weights\": \"" + good + "\"" + layers, null)) {
            NDArray x = m.zeros(new Shape(1, 3, 16, 16));
            assertThat(loss.distance(x, x.add(0.5f)).getFloat(0)).isFinite().isPositive();
        }
        Path damaged = vggConv1Weights("damaged.pth", false);
        TorchZipFiles.damage(damaged);
        Path poisoned = vggConv1Weights("poisoned.pth", true);
        for (Path bad : List.of(damaged, poisoned)) {
            try (NDManager m = manager.newSubManager()) {
                assertThatThrownBy(() -> TestLosses.create(m, "vgg", "{\"weights\": \"" + bad + "\"" + layers, null))
                        .isInstanceOf(PlabException.class).hasMessageContaining("loss 'vgg'")
                        .hasMessageContaining(bad.toString()).hasMessageContaining(bad == damaged ? "CRC" : "NaN");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vgg", "alexnet", "lpips", "dists"})
    void greyAndFourChannelImagesAreBadInputNamingTheLossAndTheFix(String id) {
        for (int channels : new int[] {1, 4}) {
            try (NDManager m = manager.newSubManager(); Loss loss = create(m, id)) {
                NDArray x = m.zeros(new Shape(1, channels, 64, 64));
                assertThatThrownBy(() -> loss.distance(x, x)).isInstanceOf(PlabException.class)
                        .hasMessageContaining("loss '" + id + "'").hasMessageContaining("3-channel")
                        .hasMessageContaining("got " + channels + " channel").hasMessageContaining("--gray");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vgg", "alexnet", "lpips"})
    void imagesTooSmallForTheTrunkAreBadInputNamingAMinimumThatWorks(String id) {
        int minimum;
        try (NDManager m = manager.newSubManager(); Loss loss = create(m, id)) {
            NDArray small = m.zeros(new Shape(1, 3, 8, 8));
            PlabException e = (PlabException) org.assertj.core.api.Assertions.catchThrowable(
                    () -> loss.distance(small, small));
            assertThat(e).as("an 8 x 8 image under " + id).isNotNull();
            assertThat(e.getMessage()).contains("loss '" + id + "'").contains("--resize");
            Matcher at = Pattern.compile("at least (\\d+) x \\1 pixels").matcher(e.getMessage());
            assertThat(at.find()).as(e.getMessage()).isTrue();
            minimum = Integer.parseInt(at.group(1));
        }
        try (NDManager m = manager.newSubManager(); Loss loss = create(m, id)) {
            NDArray x = m.zeros(new Shape(1, 3, minimum, minimum));
            NDArray y = m.ones(new Shape(1, 3, minimum, minimum)).mul(0.5f);
            assertThat(loss.distance(x, y).getFloat(0)).as("distance at the minimum size").isFinite();
            NDArray smaller = m.zeros(new Shape(1, 3, minimum - 1, minimum));
            assertThatThrownBy(() -> loss.distance(smaller, smaller)).isInstanceOf(PlabException.class);
        }
    }
}
