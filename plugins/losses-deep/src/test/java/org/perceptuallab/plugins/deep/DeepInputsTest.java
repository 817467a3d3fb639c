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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.PlabException;

/**
 * Every deep loss checks, when called, that its trunk can take the batch: three channels, and images large
 * enough for its pooling; the message names the loss, the need and the fix, and the minimum it names works.
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
        return TestLosses.create(m, id, id.equals("lpips") ? lpipsParams : "{}", null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"vgg", "alexnet", "lpips"})
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
