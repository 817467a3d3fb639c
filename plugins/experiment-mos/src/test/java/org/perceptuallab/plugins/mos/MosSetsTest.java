package org.perceptuallab.plugins.mos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.io.SyntheticImages;

/** The published layouts read into pairs, and the errors a user can act on. */
class MosSetsTest {
    @Test
    void tid2013IsDetectedAndMatchedWithoutRegardToCase(@TempDir Path root) throws Exception {
        SyntheticImages.write(root.resolve("reference_images/I01.BMP.png"), 8, 1);
        Files.move(root.resolve("reference_images/I01.BMP.png"), root.resolve("reference_images/I01.BMP"));
        SyntheticImages.write(root.resolve("distorted_images/i01_01_1.bmp"), 8, 2);
        SyntheticImages.write(root.resolve("distorted_images/I01_08_5.BMP"), 8, 3);
        Files.writeString(root.resolve("mos_with_names.txt"), "5.51429 i01_01_1.bmp\n\n3.1 i01_08_5.bmp\n");
        assertThat(MosSets.detect(root, "scores.csv")).isEqualTo(MosSets.Layout.TID2013);
        assertThat(MosSets.read(root, MosSets.Layout.TID2013, "scores.csv")).containsExactly(
                new MosSets.Pair(root.resolve("reference_images/I01.BMP"),
                        root.resolve("distorted_images/i01_01_1.bmp"), 5.51429, "01"),
                new MosSets.Pair(root.resolve("reference_images/I01.BMP"),
                        root.resolve("distorted_images/I01_08_5.BMP"), 3.1, "08"));
    }

    @Test
    void kadid10kIsDetectedWithItsColumnsInAnyOrder(@TempDir Path root) throws Exception {
        SyntheticImages.write(root.resolve("images/I01.png"), 8, 1);
        SyntheticImages.write(root.resolve("images/I01_03_02.png"), 8, 2);
        Files.writeString(root.resolve("dmos.csv"), "dist_img,ref_img,dmos,var\nI01_03_02.png,I01.png,4.2,0.3\n");
        assertThat(MosSets.detect(root, "scores.csv")).isEqualTo(MosSets.Layout.KADID10K);
        assertThat(MosSets.read(root, MosSets.Layout.KADID10K, "scores.csv")).containsExactly(new MosSets.Pair(
                root.resolve("images/I01.png"), root.resolve("images/I01_03_02.png"), 4.2, "03"));
    }

    @Test
    void csvWithoutATypeColumnPutsEveryImageInOneType(@TempDir Path root) throws Exception {
        SyntheticImages.write(root.resolve("r.png"), 8, 1);
        SyntheticImages.write(root.resolve("d.png"), 8, 2);
        Files.writeString(root.resolve("my.csv"), "reference,distorted,score\n\"r.png\", d.png ,61.5\n");
        assertThat(MosSets.detect(root, "my.csv")).isEqualTo(MosSets.Layout.CSV);
        assertThat(MosSets.read(root, MosSets.Layout.CSV, "my.csv"))
                .containsExactly(new MosSets.Pair(root.resolve("r.png"), root.resolve("d.png"), 61.5, "all"));
    }

    @Test
    void malformedRowsNameTheFileTheLineAndTheFix(@TempDir Path root) throws Exception {
        SyntheticImages.write(root.resolve("r.png"), 8, 1);
        Path csv = root.resolve("scores.csv");
        Files.writeString(csv, "reference,distorted,score\nr.png,r.png,1\nr.png,r.png\n");
        assertThatThrownBy(() -> MosSets.read(root, MosSets.Layout.CSV, "scores.csv"))
                .isInstanceOf(PlabException.class).hasMessageContaining(csv + " line 3: 2 fields for the header's 3")
                .hasMessageContaining("fix the row");
        Files.writeString(csv, "reference,distorted,score\nr.png,r.png,good\n");
        assertThatThrownBy(() -> MosSets.read(root, MosSets.Layout.CSV, "scores.csv"))
                .isInstanceOf(PlabException.class).hasMessageContaining(csv + " line 2: score 'good' is not a finite");
        Files.writeString(csv, "ref,distorted,score\n");
        assertThatThrownBy(() -> MosSets.read(root, MosSets.Layout.CSV, "scores.csv"))
                .isInstanceOf(PlabException.class).hasMessageContaining(csv + " line 1").hasMessageContaining("lacks reference");
        Files.writeString(root.resolve("mos_with_names.txt"), "5.1 i01_01_1.bmp extra\n");
        assertThatThrownBy(() -> MosSets.read(root, MosSets.Layout.TID2013, "scores.csv"))
                .isInstanceOf(PlabException.class).hasMessageContaining("reference_images");
    }

    @Test
    void aFolderWithNoScoreFileSaysWhatItLooksFor(@TempDir Path root) {
        assertThatThrownBy(() -> MosSets.detect(root, "scores.csv")).isInstanceOf(PlabException.class)
                .hasMessageContaining("mos_with_names.txt").hasMessageContaining("dmos.csv")
                .hasMessageContaining("scores.csv");
        assertThatThrownBy(() -> MosSets.detect(root.resolve("nowhere"), "scores.csv"))
                .isInstanceOf(PlabException.class).hasMessageContaining("generateFrom");
    }

    @Test
    void maxPairsKeepsAnEvenSpread() {
        List<MosSets.Pair> pairs = java.util.stream.IntStream.range(0, 10)
                .mapToObj(i -> new MosSets.Pair(Path.of("r"), Path.of("d" + i), i, "t")).toList();
        assertThat(MosExperiment.evenlySpaced(pairs, 4)).extracting(MosSets.Pair::score)
                .containsExactly(0.0, 2.0, 5.0, 7.0);
        assertThat(MosExperiment.evenlySpaced(pairs, 0)).hasSize(10);
    }
}
