package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.testkit.Fixtures;

/** Matrix files: both shipped examples parse; mistakes are errors that name the file and the fix. */
class MatrixSpecTest {

    @Test
    void quickMatrixRunsEveryInstalledLossOnItsSixExperiments() {
        MatrixSpec quick = MatrixSpec.read(Fixtures.shipped("examples/matrices/quick.yaml"));
        assertThat(quick.losses()).as("all installed losses").isNull();
        assertThat(quick.experiments()).extracting(MatrixSpec.ExperimentEntry::id).containsExactly("2afc", "image-mean",
                "clustering", "style-transfer", "glo", "autoencoder");
        assertThat(quick.baseDir().resolve(quick.experiments().get(0).params().get("generateFrom").asText())).isDirectory();
        assertThat(quick.baseDir().resolve(quick.experiments().get(1).params().get("data").asText())).isRegularFile();
        assertThat(quick.baseDir().resolve(quick.experiments().get(2).params().get("data").asText())).isRegularFile();
        for (String images : new String[] {"contents", "styles"}) {
            assertThat(quick.baseDir().resolve(quick.experiments().get(3).params().get(images).asText())).isRegularFile();
        }
        for (int generative : new int[] {4, 5}) {
            assertThat(quick.baseDir().resolve(quick.experiments().get(generative).params().get("data").asText()))
                    .isRegularFile();
        }
    }

    @Test
    void studyMatrixNeedsItsDataSetsNamedInTheEnvironment() {
        Path study = Fixtures.shipped("examples/matrices/study.yaml");
        if (System.getenv("BAPPS_VAL") == null) {
            assertThatThrownBy(() -> MatrixSpec.read(study)).isInstanceOf(PlabException.class)
                    .hasMessageContaining("${BAPPS_VAL}").hasMessageContaining("not set");
        } else {
            assertThat(MatrixSpec.read(study).losses()).hasSizeGreaterThan(10);
        }
    }

    @Test
    void allWithParamsAndListedLossesWithNames(@TempDir Path tmp) throws Exception {
        MatrixSpec all = MatrixSpec.read(MatrixFixtures.write(tmp, "a.yaml", """
                losses: {all: true, params: {patch-swd: {stride: 2}}}
                experiments: [{experiment: image-mean, params: {data: x.png}}]
                """));
        assertThat(all.losses()).isNull();
        assertThat(all.allParams().get("patch-swd").get("stride").asInt()).isEqualTo(2);
        assertThat(all.name()).isEqualTo("a");
        MatrixSpec listed = MatrixSpec.read(MatrixFixtures.write(tmp, "b.json", """
                {"name": "b", "seed": 5, "losses": ["l2", {"loss": "ssim", "name": "SSIM 7", "params": {"window": 7}}],
                 "experiments": [{"experiment": "2afc", "params": {"data": "bapps"}}]}
                """));
        assertThat(listed.seed()).isEqualTo(5L);
        assertThat(listed.losses()).extracting(MatrixSpec.LossEntry::name).containsExactly("l2", "SSIM 7");
    }

    @Test
    void mistakesNameTheFileAndTheFix(@TempDir Path tmp) throws Exception {
        assertThatThrownBy(() -> MatrixSpec.read(MatrixFixtures.write(tmp, "c.yaml", "lossez: all\nexperiments: []\n")))
                .isInstanceOf(PlabException.class).hasMessageContaining("c.yaml").hasMessageContaining("unknown key 'lossez'");
        assertThatThrownBy(() -> MatrixSpec.read(MatrixFixtures.write(tmp, "d.yaml", "losses: all\n")))
                .isInstanceOf(PlabException.class).hasMessageContaining("needs 'experiments'");
        assertThatThrownBy(() -> MatrixSpec.read(MatrixFixtures.write(tmp, "e.yaml", """
                losses: [l2, l2]
                experiments: [{experiment: 2afc}]
                """))).isInstanceOf(PlabException.class).hasMessageContaining("two losses are named 'l2'");
        assertThatThrownBy(() -> MatrixSpec.read(tmp.resolve("missing.yaml"))).isInstanceOf(PlabException.class)
                .hasMessageContaining("not found");
    }
}
