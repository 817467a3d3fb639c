package org.perceptuallab.plugins.mos;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;

/**
 * The scatter plot of a loss against people: one dot per rated image (distance across, score up), coloured by
 * distortion type, with the fitted logistic drawn through them.
 */
final class ScatterPlot {
    private static final int WIDTH = 520;
    private static final int HEIGHT = 380;
    private static final int LEFT = 56;
    private static final int RIGHT = 130;
    private static final int TOP = 28;
    private static final int BOTTOM = 40;
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
        new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf)};
    private static final int LEGEND_ROWS = 20;

    private ScatterPlot() {
    }

    /**
     * @param distance per image, across
     * @param score per image, up
     * @param type per image, index into {@code types}
     * @param curve the fitted score as a function of the distance
     */
    static BufferedImage draw(String title, double[] distance, double[] score, int[] type, List<String> types,
                              DoubleUnaryOperator curve, String scoreLabel) {
        BufferedImage page = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = page.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        double[] dx = range(distance);
        double[] sy = range(score);
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        DoubleUnaryOperator px = d -> LEFT + (d - dx[0]) / (dx[1] - dx[0]) * plotW;
        DoubleUnaryOperator py = s -> TOP + plotH - (s - sy[0]) / (sy[1] - sy[0]) * plotH;
        g.setColor(Color.GRAY);
        g.drawRect(LEFT, TOP, plotW, plotH);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        g.setColor(Color.BLACK);
        g.drawString(title, LEFT, TOP - 10);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawString(label(dx[0]), LEFT, TOP + plotH + 14);
        String right = label(dx[1]);
        g.drawString(right, LEFT + plotW - g.getFontMetrics().stringWidth(right), TOP + plotH + 14);
        g.drawString("distance", LEFT + plotW / 2 - 20, TOP + plotH + 30);
        g.drawString(label(sy[1]), 4, TOP + 10);
        g.drawString(label(sy[0]), 4, TOP + plotH);
        g.drawString(scoreLabel, 4, TOP + plotH / 2);
        for (int i = 0; i < distance.length; i++) {
            g.setColor(PALETTE[type[i] % PALETTE.length]);
            g.fillOval((int) Math.round(px.applyAsDouble(distance[i])) - 2,
                    (int) Math.round(py.applyAsDouble(score[i])) - 2, 5, 5);
        }
        Path2D line = new Path2D.Double();
        for (int k = 0; k <= plotW; k++) {
            double d = dx[0] + (dx[1] - dx[0]) * k / plotW;
            double s = Math.max(sy[0], Math.min(sy[1], curve.applyAsDouble(d)));
            if (k == 0) {
                line.moveTo(px.applyAsDouble(d), py.applyAsDouble(s));
            } else {
                line.lineTo(px.applyAsDouble(d), py.applyAsDouble(s));
            }
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1.5f));
        g.draw(line);
        legend(g, types);
        g.dispose();
        return page;
    }

    private static void legend(Graphics2D g, List<String> types) {
        List<String> shown = new ArrayList<>(types.subList(0, Math.min(types.size(), LEGEND_ROWS)));
        if (types.size() > LEGEND_ROWS) {
            shown.add("... " + (types.size() - LEGEND_ROWS) + " more");
        }
        int x = WIDTH - RIGHT + 10;
        for (int i = 0; i < shown.size(); i++) {
            int y = TOP + 6 + 15 * i;
            if (i < LEGEND_ROWS) {
                g.setColor(PALETTE[i % PALETTE.length]);
                g.fillOval(x, y - 6, 7, 7);
            }
            g.setColor(Color.BLACK);
            g.drawString(shown.get(i), x + 12, y + 1);
        }
    }

    /** Min and max, widened by 4% (and to a unit width where all values are equal). */
    private static double[] range(double[] v) {
        double lo = Arrays.stream(v).min().orElse(0);
        double hi = Arrays.stream(v).max().orElse(1);
        double pad = hi > lo ? 0.04 * (hi - lo) : 0.5;
        return new double[] {lo - pad, hi + pad};
    }

    private static String label(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
