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
        assertThat(quick.losses().all()).as("all installed losses").isTrue();
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
            assertThat(MatrixSpec.read(study).losses().listed()).hasSizeGreaterThan(10);
        }
    }

    @Test
    void allWithParamsAndListedLossesWithNames(@TempDir Path tmp) throws Exception {
        MatrixSpec all = MatrixSpec.read(MatrixFixtures.write(tmp, "a.yaml", """
                losses: {all: true, params: {patch-swd: {stride: 2}}}
                experiments: [{experiment: image-mean, params: {data: x.png}}]
                """));
        assertThat(all.losses().all()).isTrue();
        assertThat(all.losses().allParams().get("patch-swd").get("stride").asInt()).isEqualTo(2);
        assertThat(all.name()).isEqualTo("a");
        MatrixSpec listed = MatrixSpec.read(MatrixFixtures.write(tmp, "b.json", """
                {"name": "b", "seed": 5, "losses": ["l2", {"loss": "ssim", "name": "SSIM 7", "params": {"window": 7}}],
                 "experiments": [{"experiment": "2afc", "params": {"data": "bapps"}}]}
                """));
        assertThat(listed.seed()).isEqualTo(5L);
        assertThat(listed.losses().listed()).extracting(MatrixSpec.LossEntry::name).containsExactly("l2", "SSIM 7");
    }

    @Test
    void anExperimentsOwnLossesAreReadInEveryFormAndCheckedLikeTheMatrixs(@TempDir Path tmp) throws Exception {
        MatrixSpec spec = MatrixSpec.read(MatrixFixtures.write(tmp, "own.yaml", """
                losses: {all: true, except: [lpips]}
                experiments:
                  - {experiment: image-mean, params: {data: x.png}}
                  - {experiment: glo, losses: [l2, {loss: vgg, name: VGG random}], params: {data: y.gz}}
                  - {experiment: style-transfer, losses: {all: true, except: [l2, l1]}}
                """));
        assertThat(spec.experiments().get(0).losses()).as("the matrix's").isNull();
        assertThat(spec.experiments().get(1).losses().listed()).extracting(MatrixSpec.LossEntry::name)
                .containsExactly("l2", "VGG random");
        assertThat(spec.experiments().get(2).losses().except()).containsExactly("l2", "l1");
        assertThatThrownBy(() -> MatrixSpec.read(MatrixFixtures.write(tmp, "typo.yaml", """
                losses: all
                experiments: [{experiment: glo, losses: {all: true, exept: [l2]}}]
                """))).isInstanceOf(PlabException.class).hasMessageContaining("typo.yaml")
                .hasMessageContaining("unknown key 'exept' under 'losses' of experiment 'glo'");
        assertThatThrownBy(() -> MatrixSpec.read(MatrixFixtures.write(tmp, "twice.yaml", """
                losses: all
                experiments: [{experiment: glo, losses: [l2, l2]}]
                """))).isInstanceOf(PlabException.class)
                .hasMessageContaining("two losses of experiment 'glo' are named 'l2'");
        assertThatThrownBy(() -> MatrixSpec.read(MatrixFixtures.write(tmp, "empty.yaml", """
                losses: all
                experiments: [{experiment: glo, losses: []}]
                """))).isInstanceOf(PlabException.class)
                .hasMessageContaining("'losses' of experiment 'glo' must be 'all', {all: true");
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
