package org.perceptuallab.plugins.style;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.perceptuallab.kit.io.Figures;

/** The grid's layout and the Gram pictures' scale, on images and matrices small enough to check by hand. */
class StyleGridTest {

    @Test
    void stylesLineTheTopRowContentsTheFirstColumnAndResultsWhereTheyCross() {
        List<Figures.Cell> contents = List.of(cell("c1"), cell("c2"));
        List<Figures.Cell> styles = List.of(cell("s1"), cell("s2"), cell("s3"));
        List<List<Figures.Cell>> results = List.of(List.of(cell("c1s1"), cell("c1s2"), cell("c1s3")),
                List.of(cell("c2s1"), cell("c2s2"), cell("c2s3")));
        List<Figures.Row> rows = StyleGrid.rows(contents, styles, results);
        assertThat(rows).hasSize(3);
        assertThat(captions(rows.get(0))).containsExactly("", "s1", "s2", "s3");
        assertThat(captions(rows.get(1))).containsExactly("c1", "c1s1", "c1s2", "c1s3");
        assertThat(captions(rows.get(2))).containsExactly("c2", "c2s1", "c2s2", "c2s3");
        BufferedImage corner = rows.get(0).cells().get(0).image();
        assertThat(corner.getWidth()).isEqualTo(4);
        assertThat(corner.getRGB(1, 1) & 0xffffff).isEqualTo(0xffffff);
    }

    @Test
    void gramPicturesShowChannelCorrelationsWhiteAtOneAndDeadChannelsBlack() {
        // channels a, b, c: b is a doubled (fully correlated), c is dead.
        float[] gram = {1, 2, 0, 2, 4, 0, 0, 0, 0};
        float[] correlations = GramPictures.correlations(gram);
        assertThat(correlations).containsExactly(1, 1, 0, 1, 1, 0, 0, 0, 0);
        BufferedImage picture = GramPictures.picture(new float[] {1, -1, -1, 1});
        assertThat(picture.getRGB(0, 0) & 0xff).isEqualTo(255);
        assertThat(picture.getRGB(1, 0) & 0xff).isZero();
        assertThat(GramPictures.picture(new float[] {1, 0.5f, 0.5f, 1}).getRGB(1, 0) & 0xff).isEqualTo(128);
    }

    private static Figures.Cell cell(String caption) {
        return new Figures.Cell(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), caption);
    }

    private static List<String> captions(Figures.Row row) {
        return row.cells().stream().map(Figures.Cell::caption).toList();
    }
}
