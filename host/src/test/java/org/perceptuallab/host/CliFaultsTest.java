package org.perceptuallab.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.perceptuallab.host.cli.ExitCodes;
import org.perceptuallab.host.io.JsonFiles;
import org.perceptuallab.host.matrix.MatrixRunner;
import org.perceptuallab.host.matrix.MatrixSpec;
import org.perceptuallab.host.matrix.ResultStore;
import org.perceptuallab.kit.io.Images;
import org.perceptuallab.kit.io.NumpyArrays;
import org.perceptuallab.testkit.Fixtures;

/**
 * Inputs a user can give that once gave stack traces or misleading results: each now exits 2 (bad input)
 * with a message naming the thing at fault and the fix, and prints no stack trace.
 */
class CliFaultsTest {
    static final Path PHOTO = Fixtures.photo("rocket.png");

    private static void assertBadInput(PlabRun run, String... says) {
        assertThat(run.exit()).as(run.err()).isEqualTo(ExitCodes.BAD_INPUT);
        for (String s : says) {
            assertThat(run.err()).contains(s);
        }
        assertThat(run.out() + run.err()).doesNotContain("\tat ");
    }

    @Test
    void sharedOptionsMayComeBeforeTheSubcommand(@TempDir Path folder) {
        PlabRun run = PlabRun.of("--plugins-dir", folder.toString(), "--seed", "3", "plugins");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains(folder.toString());
    }

    @Test
    void aFileThatIsNotAZipInAPluginFolderIsOneWarningLineWithoutAStackTrace(@TempDir Path folder) throws Exception {
        Files.writeString(folder.resolve("notes.jar"), "not a zip");
        PrintStream console = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PlabRun run;
        // PF4J logs to the process's standard error, not to picocli's writer.
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            run = PlabRun.of("losses", "--plugins-dir", folder.toString());
        } finally {
            System.setErr(console);
        }
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).containsPattern("warning: .*notes\\.jar");
        assertThat(captured.toString(StandardCharsets.UTF_8) + run.err()).doesNotContain("\tat ")
                .doesNotContain("Exception");
    }

    @Test
    void anOutputFolderThatCannotBeCreatedIsBadInputNamingIt(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("m.yaml"), "losses: [l2]\nexperiments: [{experiment: image-mean,"
                + " params: {data: " + PHOTO + "}}]\n");
        Path blocker = Files.writeString(tmp.resolve("a-file"), "");
        assertBadInput(PlabRun.of("matrix", file.toString(), "--out", blocker.resolve("out").toString()),
                "cannot create the output folder", "--out");
    }

    @Test
    void aGpuDeviceTheNativesCannotUseIsBadInput() {
        PlabRun run = PlabRun.of("distance", "--device", "gpu", "--loss", "l2", PHOTO.toString(), PHOTO.toString());
        assumeThat(run.exit()).as("a usable GPU: nothing to report").isNotZero();
        assertBadInput(run, "device gpu", "--device cpu");
    }

    @Test
    void tensorsOfDifferentShapesAreNotToldToResize(@TempDir Path tmp) throws Exception {
        try (NDManager m = NDManager.newBaseManager();
             OutputStream a = Files.newOutputStream(tmp.resolve("a.npy"));
             OutputStream b = Files.newOutputStream(tmp.resolve("b.npy"))) {
            NumpyArrays.writeNpy(m.zeros(new Shape(1, 3, 8, 8)), a);
            NumpyArrays.writeNpy(m.zeros(new Shape(1, 3, 8, 9)), b);
        }
        PlabRun run = PlabRun.of("distance", "--loss", "l2", tmp.resolve("a.npy").toString(),
                tmp.resolve("b.npy").toString());
        assertBadInput(run, "give tensors of one shape");
        assertThat(run.err()).doesNotContain("--resize");
    }

    @ParameterizedTest
    @ValueSource(strings = {"images", "arrays.npy"})
    void aFolderWhereAFileBelongsIsNamedAsAFolderAndAMissingFileAsMissing(String name, @TempDir Path tmp)
            throws Exception {
        Path folder = Files.createDirectory(tmp.resolve(name));
        assertBadInput(PlabRun.of("distance", "--loss", "l2", folder.toString(), folder.toString()), "is a folder");
        Path missing = tmp.resolve("missing-" + name);
        assertBadInput(PlabRun.of("distance", "--loss", "l2", missing.toString(), missing.toString()),
                "file not found: " + missing);
    }

    @Test
    void aMistypedParameterGetsTheClosestName() {
        assertBadInput(PlabRun.of("distance", "--loss", "ssim", "-p", "windw=3", PHOTO.toString(), PHOTO.toString()),
                "unknown parameter 'windw' (did you mean 'window'?)");
    }

    @Test
    void aJpegCutInHalfIsBadInputNotADistance(@TempDir Path tmp) throws Exception {
        Path jpeg = tmp.resolve("photo.jpg");
        ImageIO.write(Images.resize(Images.read(PHOTO), 64, 64), "jpg", jpeg.toFile());
        byte[] bytes = Files.readAllBytes(jpeg);
        Files.write(jpeg, Arrays.copyOf(bytes, bytes.length / 2));
        PlabRun run = PlabRun.of("distance", "--loss", "l2", jpeg.toString(), jpeg.toString());
        assertBadInput(run, "photo.jpg", "damaged or truncated");
        assertThat(run.out()).doesNotContain("0\t");
    }

    @Test
    void greyImagesUnderVggAreBadInputNamingTheFix() {
        assertBadInput(PlabRun.of("distance", "--gray", "--loss", "vgg", PHOTO.toString(), PHOTO.toString()),
                "loss 'vgg'", "3-channel", "--gray");
    }

    @Test
    void aRerunSaysHowToRedoAFailedCellAndRedoesADoneCellWithoutMetrics(@TempDir Path tmp) throws Exception {
        // vgg cannot take 8 x 8 images, so its cell fails; l2's is done.
        Path file = Files.writeString(tmp.resolve("m.yaml"), "losses: [l2, vgg]\nexperiments: [{experiment:"
                + " image-mean, params: {data: " + PHOTO + ", size: 8, crops: 2, jitter: 1, steps: 2}}]\n");
        Path out = tmp.resolve("out");
        try (Lab lab = new Lab(Settings.fromEnvironment())) {
            MatrixRunner.Result first = new MatrixRunner(lab, new PrintWriter(new StringWriter()))
                    .run(MatrixSpec.read(file), out);
            assertThat(first.done()).isEqualTo(1);
            assertThat(first.failed()).isEqualTo(1);
            Path l2Result = new ResultStore(out).cellDirs("image-mean", "l2").get(0).resolve(ResultStore.RESULT);
            ObjectNode record = (ObjectNode) JsonFiles.JSON.readTree(l2Result.toFile());
            record.remove("metrics");
            JsonFiles.writeJson(l2Result, record);
            StringWriter log = new StringWriter();
            MatrixRunner.Result second = new MatrixRunner(lab, new PrintWriter(log)).run(MatrixSpec.read(file), out);
            assertThat(second.skipped()).as(log.toString()).isEqualTo(1);
            assertThat(log.toString()).containsPattern("image-mean x l2: done in")
                    .containsPattern("image-mean x vgg: failed before, kept .*--retry-failed");
        }
    }
}
