package org.perceptuallab.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import org.perceptuallab.host.cli.ExitCodes;
import org.perceptuallab.host.cli.Plab;
import org.perceptuallab.kit.io.NumpyArrays;
import org.perceptuallab.testkit.Fixtures;

/** The plab command line end to end, in process, over the distribution's plugin folder. */
class CliTest {
    static final Path PHOTOS = Fixtures.photos();

    @Test
    void listsInstalledLossesWithPluginAndParameters() throws Exception {
        PlabRun text = PlabRun.of("losses");
        assertThat(text.exit()).as(text.err()).isZero();
        assertThat(text.out()).contains("ssim").contains("plugin losses-pixel").contains("window");
        PlabRun json = PlabRun.of("losses", "--json");
        JsonNode array = new ObjectMapper().readTree(json.out());
        JsonNode ssim = null;
        for (JsonNode n : array) {
            if (n.get("id").asText().equals("ssim")) {
                ssim = n;
            }
        }
        assertThat(ssim).isNotNull();
        assertThat(ssim.get("plugin").asText()).startsWith("plugin losses-pixel");
        assertThat(ssim.get("params").get(0).get("name").asText()).isEqualTo("window");
        assertThat(ssim.get("params").get(0).get("default").asInt()).isEqualTo(11);
    }

    @Test
    void pluginsListsWhatEachPluginContributesAndFailsOnABrokenJar(@TempDir Path folder) throws Exception {
        PlabRun ok = PlabRun.of("plugins");
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).containsPattern("losses-pixel +0\\.1\\.0").contains("l1, l2, lap1, laplacian, lp")
                .contains("0 problems");
        Files.writeString(folder.resolve("broken.jar"), "not a zip");
        PlabRun broken = PlabRun.of("plugins", "--plugins-dir", folder.toString());
        assertThat(broken.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(broken.out()).contains("problem: ").contains("broken.jar");
    }

    @Test
    void distanceBetweenRealImages(@TempDir Path dir) {
        PlabRun different = PlabRun.of("distance", "--loss", "ssim", "--resize", "96", PHOTOS.resolve("astronaut.png").toString(),
                PHOTOS.resolve("coffee.png").toString());
        assertThat(different.exit()).as(different.err()).isZero();
        double d = Double.parseDouble(different.out().lines().filter(l -> l.startsWith("0\t")).findFirst()
                .orElseThrow().split("\t")[1]);
        assertThat(d).isBetween(0.05, 1.0);
        Path rocketJpeg = Fixtures.jpeg("rocket.png", dir);
        PlabRun same = PlabRun.of("distance", "--loss", "l2", rocketJpeg.toString(), rocketJpeg.toString());
        assertThat(same.out()).contains("0\t0.00000000");
        PlabRun grey = PlabRun.of("distance", "--loss", "pyramid", "-p", "of={\"loss\":\"l1\"}", "--gray", "--resize", "64x48",
                PHOTOS.resolve("brick.png").toString(), PHOTOS.resolve("grass.png").toString());
        assertThat(grey.exit()).as(grey.err()).isZero();
        assertThat(grey.out()).contains("\"of\":{\"loss\":\"l1\"");
    }

    @Test
    void distanceBetweenTensorFiles(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new Shape(2, 1, 4, 4)).add(0.5);
            NDArray y = m.zeros(new Shape(2, 1, 4, 4));
            writeNpz(dir.resolve("pair.npz"), x, y, null);
            PlabRun run = PlabRun.of("distance", "--loss", "l2", dir.resolve("pair.npz") + ":x", dir.resolve("pair.npz") + ":y");
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).contains("0\t0.250000000").contains("1\t0.250000000");
        }
    }

    @Test
    void badInputGetsAnActionableMessageAndExitCode2() {
        PlabRun sizes = PlabRun.of("distance", "--loss", "l2", PHOTOS.resolve("astronaut.png").toString(),
                PHOTOS.resolve("rocket.png").toString());
        assertThat(sizes.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(sizes.err()).contains("--resize");
        PlabRun unknown = PlabRun.of("distance", "--loss", "nope", PHOTOS.resolve("astronaut.png").toString(),
                PHOTOS.resolve("astronaut.png").toString());
        assertThat(unknown.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(unknown.err()).contains("no installed loss has id 'nope'").contains("plab losses");
        PlabRun corrupt = PlabRun.of("distance", "--loss", "l2", Fixtures.golden().resolve("cases.json").toString(),
                PHOTOS.resolve("astronaut.png").toString());
        assertThat(corrupt.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(corrupt.err()).contains("cannot decode image").contains("cases.json");
        PlabRun param = PlabRun.of("distance", "--loss", "ssim", "-p", "window=0", PHOTOS.resolve("rocket.png").toString(),
                PHOTOS.resolve("rocket.png").toString());
        assertThat(param.err()).contains("loss 'ssim': parameter 'window' must be in [1, 255], got 0");
    }

    @Test
    void goldenPassesEveryBundledCaseAndNamesTheWeightFileThatDoesNotShip() {
        PlabRun bundled = PlabRun.of("golden", Fixtures.golden().toString());
        assertThat(bundled.exit()).as(bundled.out() + bundled.err()).isZero();
        assertThat(bundled.out()).containsPattern("passed +l2 +l2").containsPattern("passed +ssim +ssim")
                .containsPattern("passed +vgg-head-cx +vgg").containsPattern("missing file +vgg-full-l1 +vgg +vgg16-features.pth")
                .contains("24 passed, 0 failed, 0 not installed, 1 missing a file");
    }

    @Test
    void goldenFindsAWeightFileInAFurtherFolder() {
        Path full = Fixtures.external("golden/vgg16-features.pth");
        PlabRun complete = PlabRun.of("golden", Fixtures.golden().toString(), "--files", full.getParent().toString());
        assertThat(complete.exit()).as(complete.out() + complete.err()).isZero();
        assertThat(complete.out()).containsPattern("passed +vgg-full-l1 +vgg")
                .contains("25 passed, 0 failed, 0 not installed, 0 missing a file");
    }

    @Test
    void goldenFailsOnAWrongExpectedValueShowingBothValues(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new Shape(1, 3, 8, 8)).add(0.5);
            NDArray y = m.zeros(new Shape(1, 3, 8, 8));
            writeNpz(dir.resolve("l2-wrong.npz"), x, y, m.create(new double[] {0.3}));
            writeNpz(dir.resolve("l2-right.npz"), x, y, m.create(new double[] {0.25}));
        }
        Files.writeString(dir.resolve("cases.json"), """
                {"cases": [
                  {"case": "l2-right", "loss": "l2", "params": {}},
                  {"case": "l2-wrong", "loss": "l2", "params": {}},
                  {"case": "elsewhere", "loss": "not-a-loss", "params": {}}]}
                """);
        PlabRun run = PlabRun.of("golden", dir.toString());
        assertThat(run.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(run.out()).containsPattern("passed +l2-right").containsPattern("FAILED +l2-wrong")
                .contains("expected [0.3] got [0.25]").containsPattern("not installed +elsewhere")
                .contains("1 passed, 1 failed, 1 not installed, 0 missing a file");
    }

    @Test
    void everyCommandsHelpRendersWithoutAFormatWarning() {
        // picocli formats descriptions with String.format and, on a stray '%', warns on System.err
        PrintStream original = System.err;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        List<String> rendered = new ArrayList<>();
        System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
        try {
            Deque<CommandLine> todo = new ArrayDeque<>(List.of(Plab.commandLine("--help")));
            while (!todo.isEmpty()) {
                CommandLine command = todo.pop();
                assertThat(command.getUsageMessage()).isNotBlank();
                rendered.add(command.getCommandName());
                todo.addAll(command.getSubcommands().values());
            }
        } finally {
            System.setErr(original);
        }
        assertThat(rendered).contains("bench", "matrix", "serve");
        assertThat(warnings.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void make2afcIsTheTwoAfcPluginsCommandListedInHelpAndRunWithTheSharedSeed(@TempDir Path dir) throws Exception {
        PlabRun help = PlabRun.of("--help");
        assertThat(help.out()).containsPattern("make-2afc +Generate a synthetic 2AFC set");
        Path out = dir.resolve("set");
        PlabRun run = PlabRun.of("make-2afc", "--from", Fixtures.photos().toString(), "--out", out.toString(),
                "--triplets", "6", "--seed", "9");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out().trim()).isEqualTo(out.toAbsolutePath().normalize().toString());
        assertThat(new ObjectMapper().readTree(out.resolve("SYNTHETIC.json").toFile()).get("seed").asLong()).isEqualTo(9);
        PlabRun bad = PlabRun.of("make-2afc", "--from", Fixtures.photos().toString());
        assertThat(bad.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(bad.err()).contains("--from DIR and --out DIR are required").doesNotContain("Exception");
    }

    @Test
    void benchTimesAWorkload() throws Exception {
        PlabRun run = PlabRun.of("bench", "--warmup", "0", "--repeat", "1", "--json", "l2@2x3x16");
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode result = new ObjectMapper().readTree(run.out()).get(0);
        assertThat(result.get("workload").asText()).isEqualTo("l2@2x3x16");
        assertThat(result.get("medianSeconds").asDouble()).isPositive();
        PlabRun bad = PlabRun.of("bench", "l2-8x3");
        assertThat(bad.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(bad.err()).contains("LOSS@NxCxS");
    }

    @Test
    void benchAcrossProcessesReportsTheMedianOfEachProcesssMedian() throws Exception {
        PlabRun run = PlabRun.of("--threads", "1", "bench", "--processes", "3", "--warmup", "0", "--repeat", "1",
                "l2@2x3x16", "--json");
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode result = new ObjectMapper().readTree(run.out()).get(0);
        assertThat(result.get("workload").asText()).isEqualTo("l2@2x3x16");
        double[] medians = new double[3];
        for (int i = 0; i < 3; i++) {
            medians[i] = result.get("processMedians").get(i).asDouble();
            assertThat(medians[i]).as("process %d's median", i + 1).isPositive();
        }
        Arrays.sort(medians);
        assertThat(result.get("medianSeconds").asDouble()).isEqualTo(medians[1]);
        assertThat(result.get("spread").asDouble()).isCloseTo(medians[2] / medians[0], within(1e-12));
        assertThat(PlabRun.of("bench", "--processes", "0", "l2@2x3x16").exit()).isEqualTo(ExitCodes.BAD_INPUT);
    }

    @Test
    void benchTimesWholeCells(@TempDir Path work) throws Exception {
        PlabRun run = PlabRun.of("bench", "--json", "--photos", Fixtures.photos().toString(), "--work", work.toString(),
                "2afc:l2@12x16", "image-mean:l2@3x16");
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode results = new ObjectMapper().readTree(run.out());
        assertThat(results).extracting(r -> r.get("workload").asText()).containsExactly("2afc:l2@12x16",
                "image-mean:l2@3x16");
        assertThat(results).allSatisfy(r -> assertThat(r.get("runs")).singleElement()
                .satisfies(t -> assertThat(t.asDouble()).isPositive()));
        assertThat(work.resolve("cache/decoded-images")).isNotEmptyDirectory();
        PlabRun bad = PlabRun.of("bench", "clustering:l2@4x16");
        assertThat(bad.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(bad.err()).contains("2afc, image-mean");
    }

    static void writeNpz(Path file, NDArray x, NDArray y, NDArray expected) throws Exception {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            put(zip, "x", x);
            put(zip, "y", y);
            if (expected != null) {
                put(zip, "expected", expected);
            }
        }
    }

    private static void put(ZipOutputStream zip, String name, NDArray a) throws Exception {
        zip.putNextEntry(new ZipEntry(name + ".npy"));
        NumpyArrays.writeNpy(a, new OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                zip.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws java.io.IOException {
                zip.write(b, off, len);
            }
        });
        zip.closeEntry();
    }
}
