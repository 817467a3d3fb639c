package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.Lab;
import org.perceptuallab.testkit.Fixtures;

/**
 * A matrix file's mistakes are errors, never silently ignored: a mistyped key at every level names the key,
 * its place and the known keys with the closest one; 'except' names installed losses; 'losses' is required;
 * a key given twice is refused; the output folder it names stays inside the working folder.
 */
class MatrixStrictnessTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "sede: 1                                   | sede    | at the top level                      | seed",
        "parms: {}                                 | parms   | in experiment 'image-mean'            | params",
    })
    void aMistypedKeyInAnExperimentOrAtTheTopNamesItsPlaceAndTheKnownKeys(String line, String key, String place,
                                                                          String meant, @TempDir Path tmp) {
        String yaml = line.startsWith("sede") ? line + "\nlosses: all\nexperiments: [{experiment: image-mean}]\n"
                : "losses: all\nexperiments: [{experiment: image-mean, " + line + "}]\n";
        assertThatThrownBy(() -> MatrixSpec.read(MatrixFixtures.write(tmp, "m.yaml", yaml)))
                .isInstanceOf(PlabException.class).hasMessageContaining("m.yaml")
                .hasMessageContaining("unknown key '" + key + "' ").hasMessageContaining(place)
                .hasMessageContaining("known: ").hasMessageContaining("did you mean '" + meant + "'?");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "[{loss: ssim, parms: {window: 3}}]        | parms   | in loss entry 1 (ssim)                | params",
        "[l2, {loss: l1, nmae: L1}]                | nmae    | in loss entry 2 (l1)                  | name",
        "{all: true, excpet: [lpips]}              | excpet  | under 'losses'                        | except",
    })
    void aMistypedKeyInTheLossesNamesItsPlaceAndTheKnownKeys(String losses, String key, String place, String meant,
                                                             @TempDir Path tmp) {
        String yaml = "losses: " + losses + "\nexperiments: [{experiment: image-mean}]\n";
        assertThatThrownBy(() -> MatrixSpec.read(MatrixFixtures.write(tmp, "m.yaml", yaml)))
                .isInstanceOf(PlabException.class).hasMessageContaining("unknown key '" + key + "' ")
                .hasMessageContaining(place).hasMessageContaining("did you mean '" + meant + "'?");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "seed: five                                | 'seed' at the top level must be an integer",
        "output: [a, b]                            | 'output' at the top level must be text",
    })
    void aValueOfTheWrongTypeIsAnErrorNotASilentDefault(String line, String says, @TempDir Path tmp) {
        String yaml = "losses: all\n" + line + (line.startsWith("experiments") ? "\n"
                : "\nexperiments: [{experiment: image-mean}]\n");
        assertThatThrownBy(() -> MatrixSpec.read(MatrixFixtures.write(tmp, "m.yaml", yaml)))
                .isInstanceOf(PlabException.class).hasMessageContaining(says);
    }

    @Test
    void aMatrixWithoutLossesIsAnErrorNotEveryInstalledLoss(@TempDir Path tmp) {
        assertThatThrownBy(() -> MatrixSpec.read(MatrixFixtures.write(tmp, "m.yaml",
                "experiments: [{experiment: image-mean}]\n"))).isInstanceOf(PlabException.class)
                .hasMessageContaining("needs 'losses'");
    }

    @Test
    void exceptNamesMustBeInstalledLosses(@TempDir Path tmp) throws Exception {
        MatrixSpec spec = MatrixSpec.read(MatrixFixtures.write(tmp, "m.yaml", """
                losses: {all: true, except: [lpisp]}
                experiments: [{experiment: image-mean, params: {data: %s}}]
                """.formatted(Fixtures.photos().resolve("astronaut.png"))));
        try (Lab lab = MatrixFixtures.lab(0)) {
            assertThatThrownBy(() -> new MatrixRunner(lab, new PrintWriter(new StringWriter()))
                    .run(spec, tmp.resolve("out"))).isInstanceOf(PlabException.class)
                    .hasMessageContaining("'losses.except' names 'lpisp'").hasMessageContaining("not an installed loss");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "losses: [l1]                              | line 3: Duplicate field 'losses'",
        "name: a; name: b                          | line 4: Duplicate field 'name'",
    })
    void aKeyGivenTwiceIsRefusedNotTheLastWins(String extra, String says, @TempDir Path tmp) {
        String yaml = "losses: [l2]\nexperiments: [{experiment: image-mean}]\n" + extra.replace("; ", "\n") + "\n";
        assertThatThrownBy(() -> MatrixSpec.read(MatrixFixtures.write(tmp, "m.yaml", yaml)))
                .isInstanceOf(PlabException.class).hasMessageContaining("m.yaml").hasMessageContaining(says);
    }

    @Test
    void aKeyGivenTwiceInsideAnEntryOrAJsonMatrixIsRefused(@TempDir Path tmp) {
        assertThatThrownBy(() -> MatrixSpec.read(MatrixFixtures.write(tmp, "m.yaml", "losses: [l2]\nexperiments:\n"
                + "  - {experiment: image-mean, params: {size: 8, size: 64}}\n")))
                .isInstanceOf(PlabException.class).hasMessageContaining("Duplicate field 'size'");
        assertThatThrownBy(() -> MatrixSpec.read(MatrixFixtures.write(tmp, "m.json",
                "{\"losses\": [\"l2\"], \"losses\": \"all\", \"experiments\": [{\"experiment\": \"image-mean\"}]}")))
                .isInstanceOf(PlabException.class).hasMessageContaining("m.json")
                .hasMessageContaining("Duplicate field 'losses'");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "name: ../escaped                          | the 'name' of matrix file | it leads out of",
        "name: ../../../tmp/escaped                | the 'name' of matrix file | it leads out of",
        "name: /tmp/escaped                        | the 'name' of matrix file | it is an absolute path",
        "name: ..                                  | the 'name' of matrix file | it leads out of",
        "output: ../escaped                        | the 'output' of matrix file | it leads out of",
        "output: /tmp/escaped                      | the 'output' of matrix file | it is an absolute path",
    })
    void aNameOrOutputLeadingOutOfItsFolderIsRefusedNamingTheFileAndKey(String line, String key, String why,
                                                                       @TempDir Path tmp) {
        String yaml = line + "\nlosses: [l2]\nexperiments: [{experiment: image-mean}]\n";
        assertThatThrownBy(() -> MatrixSpec.read(MatrixFixtures.write(tmp, "m.yaml", yaml)))
                .isInstanceOf(PlabException.class).hasMessageContaining(key + " " + tmp.resolve("m.yaml"))
                .hasMessageContaining(why);
    }

    @Test
    void theOutputFolderOfANameIsUnderPlabOutput(@TempDir Path tmp) throws Exception {
        MatrixSpec spec = MatrixSpec.read(MatrixFixtures.write(tmp, "m.yaml",
                "name: study/one\nlosses: [l2]\nexperiments: [{experiment: image-mean}]\n"));
        assertThat(spec.output()).isEqualTo(Path.of("plab-output", "study", "one").toAbsolutePath());
    }
}
