package org.perceptuallab.kit.io;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Image grids with captions, for the figures experiments write (targets, starts and results; 2AFC
 * triplets). Small images are enlarged with nearest-neighbour sampling so single pixels stay visible.
 */
public final class Figures {
    private static final int PAD = 6;
    private static final int LINE = 14;

    private Figures() {
    }

    /** One picture in a grid, with its caption (may be empty). */
    public record Cell(BufferedImage image, String caption) {
    }

    /** One row of a grid: a title above it (may be empty) and its cells. */
    public record Row(String title, List<Cell> cells) {
    }

    /**
     * Draws the rows top to bottom on a white page; every picture is drawn {@code cellSize} pixels wide
     * (height kept in proportion).
     */
    public static BufferedImage grid(List<Row> rows, int cellSize) {
        int columns = rows.stream().mapToInt(r -> r.cells().size()).max().orElse(1);
        int width = PAD + columns * (cellSize + PAD);
        width = Math.max(width, 320);
        int height = PAD;
        for (Row r : rows) {
            height += rowHeight(r, cellSize);
        }
        BufferedImage page = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = page.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        Font title = new Font(Font.SANS_SERIF, Font.BOLD, 12);
        Font caption = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
        int y = PAD;
        for (Row r : rows) {
            g.setColor(Color.BLACK);
            if (!r.title().isEmpty()) {
                g.setFont(title);
                g.drawString(fit(g, r.title(), width - 2 * PAD), PAD, y + LINE - 3);
                y += LINE;
            }
            int x = PAD;
            int imageHeight = imageHeight(r, cellSize);
            for (Cell c : r.cells()) {
                int h = c.image().getHeight() * cellSize / c.image().getWidth();
                g.drawImage(c.image(), x, y, cellSize, h, null);
                if (!c.caption().isEmpty()) {
                    g.setFont(caption);
                    g.drawString(fit(g, c.caption(), cellSize), x, y + imageHeight + LINE - 3);
                }
                x += cellSize + PAD;
            }
            y += imageHeight + (hasCaptions(r) ? LINE : 0) + PAD;
        }
        g.dispose();
        return page;
    }

    private static int rowHeight(Row r, int cellSize) {
        return (r.title().isEmpty() ? 0 : LINE) + imageHeight(r, cellSize) + (hasCaptions(r) ? LINE : 0) + PAD;
    }

    private static int imageHeight(Row r, int cellSize) {
        return r.cells().stream().mapToInt(c -> c.image().getHeight() * cellSize / c.image().getWidth())
                .max().orElse(0);
    }

    private static boolean hasCaptions(Row r) {
        return r.cells().stream().anyMatch(c -> !c.caption().isEmpty());
    }

    /** The text, shortened with an ellipsis to fit {@code width} pixels. */
    private static String fit(Graphics2D g, String text, int width) {
        FontMetrics fm = g.getFontMetrics();
        if (fm.stringWidth(text) <= width) {
            return text;
        }
        String s = text;
        while (s.length() > 1 && fm.stringWidth(s + "…") > width) {
            s = s.substring(0, s.length() - 1);
        }
        return s + "…";
    }
}
