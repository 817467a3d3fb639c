package org.perceptuallab.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.perceptuallab.host.cli.ExitCodes;
import org.perceptuallab.host.cli.Plab;
import org.perceptuallab.host.io.JsonFiles;
import org.perceptuallab.testkit.Fixtures;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * Hostile or absurd command-line input and files (issue 25): paths from files stay in their folder, values
 * beyond any machine are refused naming them, the machine's refusals (a full disk, a denied file) are exit
 * 2 in plain words, and thread counts stay within the processors.
 */
class HostileInputCliTest {
    static final Path PHOTO = Fixtures.photo("rocket.png");

    private static void assertBadInput(PlabRun run, String... says) {
        assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).doesNotContain("internal error").doesNotContain("\tat ");
        for (String s : says) {
            assertThat(run.err()).contains(s);
        }
    }

    private static String matrix(String top) {
        return top + "\nlosses: [l2]\nexperiments: [{experiment: image-mean, params: {data: " + PHOTO
                + ", size: 8, crops: 2, jitter: 1, steps: 2}}]\n";
    }

    @Test
    void aMatrixNameLeadingOutOfPlabOutputIsExit2AndWritesNothingThere(@TempDir Path tmp) throws Exception {
        String escaped = "escaped-" + ProcessHandle.current().pid();
        Path file = Files.writeString(tmp.resolve("m.yaml"), matrix("name: ../../" + escaped));
        assertBadInput(PlabRun.of("matrix", file.toString()), "the 'name' of matrix file " + file,
                "'../../" + escaped + "'", "it leads out of");
        assertThat(Path.of("plab-output", "..", "..", escaped).toAbsolutePath().normalize()).doesNotExist();
    }

    /** A results file as another lab shares it: one finished cell, its key as given. */
    private static Path results(Path tmp, String matrixName, ObjectNode key) throws IOException {
        ObjectNode root = JsonFiles.JSON.createObjectNode().put("matrix", matrixName);
        ArrayNode cells = root.putArray("cells");
        ObjectNode cell = cells.addObject().put("experiment", "image-mean").put("loss", "l2").put("status", "done");
        cell.putObject("metrics").put("distanceEnd", 0.1);
        if (key != null) {
            cell.set("key", key);
        }
        Path file = tmp.resolve("results.json");
        JsonFiles.writeJson(file, root);
        return file;
    }

    private static ObjectNode key() {
        ObjectNode key = JsonFiles.JSON.createObjectNode().put("experiment", "image-mean").put("seed", 0);
        key.putObject("params").put("data", PHOTO.toString()).put("size", 8);
        key.putObject("loss").put("loss", "l2");
        return key;
    }

    @Test
    void reproducingResultsWhoseMatrixNameLeadsOutIsRefusedBeforeAnythingRuns(@TempDir Path tmp) throws Exception {
        String escaped = "escaped-" + ProcessHandle.current().pid();
        Path file = results(tmp, "../../" + escaped, key());
        assertBadInput(PlabRun.of("reproduce", file.toString(), "--yes"), "the 'matrix' name in results file " + file,
                "it leads out of");
        assertThat(Path.of("plab-output", "..", "..", escaped + "-reproduced").toAbsolutePath().normalize())
                .doesNotExist();
    }

    @Test
    void reproducingACellWithoutAKeyIsExit2NamingTheCell(@TempDir Path tmp) throws Exception {
        assertBadInput(PlabRun.of("reproduce", results(tmp, "m", null).toString(), "--yes", "--out",
                tmp.resolve("again").toString()), "cell image-mean/l2 lacks its 'key'", "--cells");
        ObjectNode noSeed = key();
        noSeed.remove("seed");
        assertBadInput(PlabRun.of("reproduce", results(tmp, "m", noSeed).toString(), "--yes", "--out",
                tmp.resolve("again").toString()), "cell image-mean/l2 lacks 'key.seed'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"org.example:../../evil:1.0", "org/example:evil:1.0", "..:evil:1.0",
        "org.example:evil:../1.0"})
    void coordinatesHoldingDotsOrSlashesAreBadInput(String coordinates, @TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("m.yaml"), matrix("plugins: [{coordinates: '" + coordinates
                + "', sha256: '" + "0".repeat(64) + "'}]"));
        assertBadInput(PlabRun.of("matrix", file.toString(), "--out", tmp.resolve("out").toString()),
                "'" + coordinates + "' are not plugin coordinates", "not dots alone");
    }

    @Test
    void aGpuIndexBeyondAnyMachineIsExit2NamingIt() {
        assertBadInput(PlabRun.of("distance", "--device", "gpu:99999999999", "--loss", "l2", PHOTO.toString(),
                PHOTO.toString()), "device 'gpu:99999999999'", "GPU 99999999999", "at most " + Settings.MAX_GPU_INDEX);
    }

    @ParameterizedTest
    @ValueSource(strings = {"l2@1x3x99999999999", "l2@1x3x99999999999999999999999", "l2@0x3x8",
        "image-mean:l2@99999999999x64"})
    void aBenchWorkloadBeyondAnyMachineIsExit2NamingIt(String workload) {
        assertBadInput(PlabRun.of("bench", workload), "workload '" + workload + "'", "x");
    }

    /** A command that fails as the machine makes it: a file denied, the disk full. */
    @Command(name = "fails")
    record Fails(IOException cause) implements Callable<Integer> {
        @Override
        public Integer call() throws IOException {
            throw cause;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"denied", "full"})
    void theMachineRefusingAFileIsExit2InPlainWords(String how) {
        IOException cause = how.equals("denied") ? new AccessDeniedException("/data/results.json")
                : new IOException("No space left on device");
        CommandLine cl = Plab.commandLine().addSubcommand(new CommandLine(new Fails(cause)));
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        assertThat(cl.execute("fails")).as(err.toString()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(err.toString()).doesNotContain("internal error").contains(how.equals("denied")
                ? "plab: cannot use /data/results.json: access denied"
                : "plab: No space left on device; the disk is full: free some space");
    }

    @Test
    void threadsAndJobsAboveTheProcessorsAreClampedWithANote(@TempDir Path tmp) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        PlabRun run = PlabRun.of("distance", "--threads", "100000", "--loss", "l2", PHOTO.toString(), PHOTO.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).contains("note: --threads 100000 is more than the " + cores + " processors here; using "
                + cores);
        Path file = Files.writeString(tmp.resolve("m.yaml"), matrix("name: jobs"));
        PlabRun matrix = PlabRun.of("matrix", file.toString(), "--jobs", "100000", "--out", tmp.resolve("out").toString());
        assertThat(matrix.exit()).as(matrix.err()).isZero();
        assertThat(matrix.err()).contains("note: --jobs 100000 is more than the " + cores + " processors here; using "
                + cores);
    }

    @Test
    void threads100000CreateNoMoreThreadsThanTheProcessors() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        int asked = threadsAfter("100000");
        int atCores = threadsAfter(Integer.toString(cores));
        // The engine's pool is the processors' size either way; a few helper threads may differ.
        assertThat(asked).as("threads after --threads 100000, after --threads %d: %d", cores, atCores)
                .isLessThanOrEqualTo(atCores + 2);
    }

    /** The threads of a fresh JVM after one distance with {@code --threads N}. */
    private static int threadsAfter(String threads) throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Dplab.pluginsDir=" + System.getProperty("plab.pluginsDir"), "-Dai.djl.offline=true",
                ThreadCount.class.getName(), "distance", "--threads", threads, "--loss", "ssim", PHOTO.toString(),
                PHOTO.toString()).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes());
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).as(output).isTrue();
        assertThat(output).as(output).contains("exit=0");
        Matcher m = Pattern.compile("threads=(\\d+)").matcher(output);
        assertThat(m.find()).as(output).isTrue();
        return Integer.parseInt(m.group(1));
    }

    @Test
    void aDistanceMatrixOfFilesNamedWithALineBreakACommaAndAQuoteReadsBackAsWritten(@TempDir Path tmp)
            throws Exception {
        Path folder = Files.createDirectory(tmp.resolve("images"));
        List<String> names = List.of("plain.png", "line\nbreak.png", "comma, \"quoted\".png");
        for (String name : names) {
            Files.copy(PHOTO, folder.resolve(name));
        }
        Path prefix = tmp.resolve("d");
        PlabRun run = PlabRun.of("distance", "--matrix", folder.toString(), "--loss", "l2", "--resize", "8",
                "--out", prefix.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        List<List<String>> rows = CsvRows.read(Files.readString(tmp.resolve("d.csv")));
        assertThat(rows).hasSize(1 + names.size());
        assertThat(rows.get(0).subList(1, rows.get(0).size())).containsExactlyInAnyOrderElementsOf(names);
        for (List<String> row : rows.subList(1, rows.size())) {
            assertThat(row).hasSize(1 + names.size());
            assertThat(names).contains(row.get(0));
            row.subList(1, row.size()).forEach(v -> assertThat(Double.parseDouble(v)).isZero());
        }
    }
}
