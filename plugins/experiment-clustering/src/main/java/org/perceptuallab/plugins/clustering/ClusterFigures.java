package org.perceptuallab.plugins.clustering;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.perceptuallab.kit.io.Figures;
import org.perceptuallab.kit.io.LabelledImages;

/** The pictures a person looks at: each cluster's images, and the cluster x class confusion matrix. */
final class ClusterFigures {
    static final int PER_CLUSTER = 25;
    private static final int CELL = 22;
    private static final int MARGIN = 90;

    private ClusterFigures() {
    }

    /** One row per cluster (largest first): up to 25 of its images, titled with its majority class and purity. */
    static BufferedImage clusters(LabelledImages data, int[] assignments, ClusterScores scores) {
        int k = scores.majority().length;
        List<Integer> order = new ArrayList<>();
        int[] sizes = new int[k];
        for (int a : assignments) {
            sizes[a]++;
        }
        for (int c = 0; c < k; c++) {
            order.add(c);
        }
        order.sort((a, b) -> sizes[b] != sizes[a] ? Integer.compare(sizes[b], sizes[a]) : Integer.compare(a, b));
        List<Figures.Row> rows = new ArrayList<>();
        for (int c : order) {
            List<Figures.Cell> cells = new ArrayList<>();
            for (int i = 0; i < assignments.length && cells.size() < PER_CLUSTER; i++) {
                if (assignments[i] == c) {
                    cells.add(new Figures.Cell(data.images().get(i), ""));
                }
            }
            String title;
            if (sizes[c] == 0) {
                title = String.format(Locale.ROOT, "cluster %d: empty", c);
            } else {
                int majority = scores.majority()[c];
                title = String.format(Locale.ROOT, "cluster %d: %d images, majority '%s', purity %.2f", c, sizes[c],
                        data.classes().get(majority), (double) scores.contingency()[c][majority] / sizes[c]);
            }
            rows.add(new Figures.Row(title, cells));
        }
        return Figures.grid(rows, 40);
    }

    /**
     * The contingency table as a heat map: clusters down (by index, with their sizes), classes across, each cell shaded by
     * the share of the cluster's images in that class and labelled with the count.
     */
    static BufferedImage confusion(List<String> classes, ClusterScores scores) {
        int[][] table = scores.contingency();
        int k = table.length;
        int width = MARGIN + classes.size() * CELL + 10;
        int height = MARGIN + k * CELL + 10;
        BufferedImage page = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = page.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        FontMetrics metrics = g.getFontMetrics();
        g.setColor(Color.BLACK);
        g.drawString("cluster \\ class", 4, 14);
        for (int l = 0; l < classes.size(); l++) {
            // class names upwards, above their column
            Graphics2D rotated = (Graphics2D) g.create();
            rotated.translate(MARGIN + l * CELL + CELL / 2 + 4, MARGIN - 4);
            rotated.rotate(-Math.PI / 2);
            rotated.drawString(shorten(classes.get(l), metrics, MARGIN - 24), 0, 0);
            rotated.dispose();
        }
        for (int c = 0; c < k; c++) {
            int size = 0;
            for (int v : table[c]) {
                size += v;
            }
            int y = MARGIN + c * CELL;
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%d (%d)", c, size), 4, y + CELL - 7);
            for (int l = 0; l < classes.size(); l++) {
                double share = size == 0 ? 0 : (double) table[c][l] / size;
                int shade = (int) Math.round(255 * (1 - share));
                g.setColor(new Color(shade, shade, 255));
                int x = MARGIN + l * CELL;
                g.fillRect(x, y, CELL - 1, CELL - 1);
                if (table[c][l] > 0) {
                    g.setColor(share > 0.5 ? Color.WHITE : Color.BLACK);
                    String text = Integer.toString(table[c][l]);
                    g.drawString(text, x + (CELL - metrics.stringWidth(text)) / 2, y + CELL - 7);
                }
            }
        }
        g.dispose();
        return page;
    }

    private static String shorten(String text, FontMetrics metrics, int width) {
        String out = text;
        while (out.length() > 1 && metrics.stringWidth(out) > width) {
            out = out.substring(0, out.length() - 1);
        }
        return out;
    }
}
