package org.perceptuallab.host;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.perceptuallab.host.cli.ExitCodes;
import org.perceptuallab.kit.io.NumpyArrays;
import org.perceptuallab.testkit.TorchZipFiles.View;
import org.perceptuallab.testkit.TorchZipFiles;

/**
 * A malformed or hostile input file, whether the host reads it (a tensor given to {@code distance}) or a
 * plugin does (a loss's weights file), is bad input (exit 2) naming the file: never an internal error, never
 * the plugin's fault.
 */
class HostileInputFilesTest {

    private static void assertBadInputNaming(PlabRun run, Path file, String says) {
        assertThat(run.exit()).as(run.err()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains(file.toString()).contains(says).doesNotContain("internal error")
                .doesNotContain("fault of that plugin");
        assertThat(run.out() + run.err()).doesNotContain("\tat ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"(-1, 3, 8, 8)", "(1e0, 3, 8, 8)", "(4611686018427387904, 3, 8, 8)"})
    void aMalformedTensorGivenToDistanceIsBadInputNamingIt(String shape, @TempDir Path tmp) throws Exception {
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }\n";
        ByteBuffer bytes = ByteBuffer.allocate(10 + header.length() + 64).order(ByteOrder.LITTLE_ENDIAN);
        bytes.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length())
                .put(header.getBytes(StandardCharsets.ISO_8859_1));
        Path a = Files.write(tmp.resolve("a.npy"), bytes.array());
        Path b = tmp.resolve("b.npy");
        try (NDManager m = NDManager.newBaseManager(); OutputStream out = Files.newOutputStream(b)) {
            NumpyArrays.writeNpy(m.zeros(new Shape(1, 3, 8, 8)), out);
        }
        assertBadInputNaming(PlabRun.of("distance", "--loss", "l2", a.toString(), b.toString()), a, "shape");
    }

    @Test
    void aPipeGivenToDistanceIsNotARegularFileRatherThanMissing(@TempDir Path tmp) throws Exception {
        Path fifo = tmp.resolve("a.npy");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        assertBadInputNaming(PlabRun.of("distance", "--loss", "l2", fifo.toString(), fifo.toString()), fifo,
                "not a regular file");
    }

    @Test
    void aMalformedWeightsFileReadByALossPluginIsBadInputNamingTheFile(@TempDir Path tmp) throws Exception {
        Path weights = tmp.resolve("vgg.pth");
        TorchZipFiles.writeViews(weights, Map.of("features.0.weight",
                new View(new long[] {64, 3, 3, 3}, new long[] {-27, 9, 3, 1}, 0, new float[64 * 27])));
        Path photo = Path.of("../examples/data/photos/rocket.png");
        // linearWeights=ones: no other file to find, so the trunk file is the one read
        assertBadInputNaming(PlabRun.of("distance", "--loss", "lpips", "-p", "weights=" + weights, "-p",
                "linearWeights=ones", photo.toString(), photo.toString()), weights, "strides");
    }
}
