package org.perceptuallab.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.runtime.catalog.LabContext;
import org.perceptuallab.runtime.catalog.LossCatalog;
import org.perceptuallab.runtime.catalog.PluginFailure;
import org.perceptuallab.kit.SimpleLoss;
import org.perceptuallab.kit.io.Images;
import org.perceptuallab.kit.io.NumpyArrays;
import org.perceptuallab.testkit.Fixtures;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.TorchZipFiles;
import org.perceptuallab.kit.weights.WeightFiles;

/**
 * A damaged file never passes as data: every image format's decoder reports truncation, zip-based weight
 * files are CRC-checked, non-finite weights are rejected in every weight format, and a loss's non-finite
 * output is a failure naming the loss.
 */
class IntegrityTest extends CatalogTest {
    private static final Path PHOTO = Fixtures.photo("astronaut.png");

    @ParameterizedTest
    @ValueSource(strings = {"png", "jpg", "bmp", "gif"})
    void aTruncatedImageOfEveryFormatIsRejectedNamingTheFile(String format, @TempDir Path tmp) throws IOException {
        Path whole = tmp.resolve("whole." + format);
        BufferedImage photo = Images.resize(Images.read(PHOTO), 64, 48);
        assertThat(ImageIO.write(photo, format, whole.toFile())).as("a writer for " + format).isTrue();
        assertThat(Images.read(whole).getWidth()).isEqualTo(64);
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = tmp.resolve("cut." + format);
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> Images.read(cut)).isInstanceOf(PlabException.class)
                .hasMessageContaining(cut.toString());
    }

    @Test
    void aFolderGivenAsAnImageIsNamedAsAFolder(@TempDir Path tmp) {
        assertThatThrownBy(() -> Images.read(tmp)).isInstanceOf(PlabException.class)
                .hasMessageContaining("is a folder").hasMessageNotContaining("not found");
    }

    /** The zip-based weight formats, each written by the test with one float tensor. */
    enum ZipWeights { TORCH_ZIP, NPZ }

    @ParameterizedTest
    @EnumSource(ZipWeights.class)
    void aZipWeightFileWithFlippedBytesFailsItsCrcCheck(ZipWeights format, @TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("w." + (format == ZipWeights.NPZ ? "npz" : "pth"));
        float[] values = {0.5f, -1f, 2f, 3f, 4f, 5f, 6f, 7f};
        if (format == ZipWeights.NPZ) {
            // As numpy.savez writes it: one uncompressed .npy entry per array.
            ByteArrayOutputStream npy = new ByteArrayOutputStream();
            try (NDManager m = manager.newSubManager()) {
                NumpyArrays.writeNpy(m.create(values), npy);
            }
            TorchZipFiles.storedZip(file, Map.of("w.npy", npy.toByteArray()));
        } else {
            writeTorchZip(file, values);
        }
        try (NDManager m = manager.newSubManager()) {
            assertThat(WeightFiles.read(file, m, k -> true).get("w").toFloatArray()).containsExactly(values);
        }
        byte[] bytes = Files.readAllBytes(file);
        int at = indexOf(bytes, floatBytes(values)) + 4;
        bytes[at] ^= 0x40;
        Files.write(file, bytes);
        try (NDManager m = manager.newSubManager()) {
            assertThatThrownBy(() -> WeightFiles.read(file, m, k -> true)).isInstanceOf(PlabException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("CRC");
        }
    }

    @ParameterizedTest
    @EnumSource(value = NDList.Encoding.class, names = {"NPZ", "SAFETENSORS"})
    void nonFiniteWeightsAreRejectedInEveryFormat(NDList.Encoding encoding, @TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("w." + encoding.name().toLowerCase());
        try (NDManager m = manager.newSubManager(); OutputStream out = Files.newOutputStream(file)) {
            NDArray good = m.create(new float[] {1, 2});
            good.setName("good");
            NDArray bad = m.create(new float[] {1, Float.NaN});
            bad.setName("bad");
            new NDList(good, bad).encode(out, encoding);
        }
        try (NDManager m = manager.newSubManager()) {
            assertThatThrownBy(() -> WeightFiles.read(file, m, k -> true)).isInstanceOf(PlabException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("'bad'").hasMessageContaining("NaN");
        }
    }

    @Test
    void nonFiniteWeightsAreRejectedInATorchZip(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("w.pth");
        writeTorchZip(file, new float[] {1, Float.POSITIVE_INFINITY});
        try (NDManager m = manager.newSubManager()) {
            assertThatThrownBy(() -> WeightFiles.read(file, m, k -> true)).isInstanceOf(PlabException.class)
                    .hasMessageContaining("'w'").hasMessageContaining("infinite");
        }
    }

    @Test
    void aLossReturningNaNFailsNamingTheLossAndItsWeightsFile() {
        LossFamily nan = new LossFamily() {
            public String id() {
                return "nan-loss";
            }

            public String summary() {
                return "always NaN";
            }

            public ParamSpec params() {
                return ParamSpec.of(org.perceptuallab.api.Param.string("weights", null, "a file"));
            }

            public Loss create(org.perceptuallab.api.Params p, org.perceptuallab.api.LossContext c) {
                return SimpleLoss.of(id(), p, (x, y) -> x.sub(y).abs().sum(new int[] {1, 2, 3}).div(0f).mul(0f));
            }
        };
        LossCatalog losses = new LossCatalog();
        losses.families().add(nan, "plugin nan 1.0");
        LossSpec spec = new LossSpec("nan-loss", JsonNodeFactory.instance.objectNode().put("weights", "w.pth"));
        try (NDManager m = manager.newSubManager(); Loss loss = losses.create(spec, LabContext.of(m, 0, losses))) {
            NDArray x = m.zeros(new Shape(2, 3, 8, 8));
            assertThatThrownBy(() -> loss.distance(x, x)).isInstanceOf(PluginFailure.class)
                    .hasMessageContaining("loss 'nan-loss'").hasMessageContaining("NaN")
                    .hasMessageContaining("[0, 1]").hasMessageContaining("w.pth").hasMessageContaining("plugin nan");
        }
    }

    private static void writeTorchZip(Path file, float[] values) throws IOException {
        try (NDManager m = manager.newSubManager()) {
            TorchZipFiles.write(file, Map.of("w", m.create(values)));
        }
    }

    private static byte[] floatBytes(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("the values' bytes are not stored uncompressed in the file");
    }

}
