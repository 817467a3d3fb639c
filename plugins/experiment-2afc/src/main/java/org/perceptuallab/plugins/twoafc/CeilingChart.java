package org.perceptuallab.plugins.twoafc;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.perceptuallab.kit.io.Images;

/**
 * The 2AFC scores as bars (overall first, then per category) on a 0 to 1 axis, with the human ceiling (the
 * agreement a rater has with the others, as the LPIPS paper reports it) as a dashed red line across: a loss at
 * the line agrees with people as well as people agree with each other.
 */
final class CeilingChart {
    static final int WIDTH = 480;
    static final int HEIGHT = 300;
    private static final int LEFT = 44;
    private static final int RIGHT = 12;
    private static final int TOP = 30;
    private static final int BOTTOM = 40;
    static final Color BAR = new Color(0x33, 0x55, 0x99);
    static final Color CEILING = new Color(0xcc, 0x22, 0x22);

    private CeilingChart() {
    }

    /** The chart of {@code scores} (label to score in [0, 1]) against {@code ceiling}, as a PNG. */
    static void write(Path png, String title, Map<String, Double> scores, double ceiling) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.setColor(Color.DARK_GRAY);
            g.drawString(title, LEFT, 16);
            for (int tick = 0; tick <= 4; tick++) {
                int y = y(tick / 4.0);
                g.setColor(Color.LIGHT_GRAY);
                g.drawLine(LEFT, y, WIDTH - RIGHT, y);
                g.setColor(Color.DARK_GRAY);
                g.drawString(String.format(Locale.ROOT, "%.2f", tick / 4.0), 6, y + 4);
            }
            int slot = (WIDTH - LEFT - RIGHT) / Math.max(1, scores.size());
            int i = 0;
            for (Map.Entry<String, Double> s : scores.entrySet()) {
                int x = LEFT + i++ * slot;
                int top = y(clamp(s.getValue()));
                g.setColor(BAR);
                g.fillRect(x + slot / 5, top, slot * 3 / 5, y(0) - top);
                g.setColor(Color.DARK_GRAY);
                String label = s.getKey().length() > 14 ? s.getKey().substring(0, 13) + "…" : s.getKey();
                g.drawString(label, x + 2, HEIGHT - BOTTOM + 14);
                g.drawString(String.format(Locale.ROOT, "%.3f", s.getValue()), x + slot / 5, top - 3);
            }
            int line = y(clamp(ceiling));
            g.setColor(CEILING);
            g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f},
                    0f));
            g.drawLine(LEFT, line, WIDTH - RIGHT, line);
            g.drawString(String.format(Locale.ROOT, "human ceiling %.3f", ceiling), WIDTH - RIGHT - 120,
                    line - 4);
        } finally {
            g.dispose();
        }
        Images.writePng(image, png);
    }

    /** The pixel row of a score. */
    static int y(double score) {
        return TOP + (int) Math.round((1 - score) * (HEIGHT - TOP - BOTTOM));
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }
}
