package org.perceptuallab.plugins.style;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.perceptuallab.kit.io.Figures;

/**
 * The figure of a cell: the style images along the top row, the content images down the first column, and
 * the result of content i under style j where they cross.
 */
final class StyleGrid {
    private StyleGrid() {
    }

    /**
     * The rows of the grid.
     *
     * @param results results.get(i).get(j) is content i under style j
     */
    static List<Figures.Row> rows(List<Figures.Cell> contents, List<Figures.Cell> styles,
                                  List<List<Figures.Cell>> results) {
        BufferedImage any = styles.get(0).image();
        List<Figures.Cell> top = new ArrayList<>();
        top.add(new Figures.Cell(blank(any.getWidth(), any.getHeight()), ""));
        top.addAll(styles);
        List<Figures.Row> rows = new ArrayList<>();
        rows.add(new Figures.Row("styles", top));
        for (int i = 0; i < contents.size(); i++) {
            List<Figures.Cell> row = new ArrayList<>();
            row.add(contents.get(i));
            row.addAll(results.get(i));
            rows.add(new Figures.Row(i == 0 ? "content, then results" : "", row));
        }
        return rows;
    }

    /** A white picture for the corner, where no content meets no style. */
    private static BufferedImage blank(int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.dispose();
        return img;
    }
}
