package org.perceptuallab.kit.io;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.perceptuallab.api.PlabException;

/**
 * Image distortions of a given strength w in (0, 1] (0: none, 1: strong), each with a seeded random pattern
 * (noise sample, colour direction, shift direction, swapped patches): the generated 2AFC and mean-opinion-score
 * sets are made of them.
 */
public final class Distortions {
    /** The kinds {@link #apply} knows. */
    public static final List<String> KINDS = List.of("noise", "blur", "jpeg", "color", "shift", "shuffle");

    private Distortions() {
    }

    /** The distortion {@code kind} (one of {@link #KINDS}) of strength {@code w}, its pattern from {@code direction}. */
    public static BufferedImage apply(String kind, BufferedImage img, double w, long direction) {
        return switch (kind) {
            case "noise" -> noise(img, 0.25 * w, direction);
            case "blur" -> blur(img, 2.5 * w);
            case "jpeg" -> jpeg(img, (float) Math.max(0.01, 0.5 * (1 - w)));
            case "color" -> color(img, 0.35 * w, direction);
            case "shift" -> shift(img, (int) Math.max(1, Math.round(6 * w)), direction);
            case "shuffle" -> shuffle(img, (int) Math.max(1, Math.round(12 * w)), direction);
            default -> throw new IllegalArgumentException("no distortion '" + kind + "' among " + KINDS);
        };
    }

    private static float[][] rgb(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        float[][] c = new float[3][w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = img.getRGB(x, y);
                c[0][y * w + x] = ((p >> 16) & 0xff) / 255f;
                c[1][y * w + x] = ((p >> 8) & 0xff) / 255f;
                c[2][y * w + x] = (p & 0xff) / 255f;
            }
        }
        return c;
    }

    private static BufferedImage image(float[][] c, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < w * h; i++) {
            int r = Math.round(Math.max(0, Math.min(1, c[0][i])) * 255);
            int g = Math.round(Math.max(0, Math.min(1, c[1][i])) * 255);
            int b = Math.round(Math.max(0, Math.min(1, c[2][i])) * 255);
            out.setRGB(i % w, i / w, (r << 16) | (g << 8) | b);
        }
        return out;
    }

    /** Gaussian noise of standard deviation sigma. */
    public static BufferedImage noise(BufferedImage img, double sigma, long direction) {
        float[][] c = rgb(img);
        Random r = new Random(direction);
        for (float[] plane : c) {
            for (int i = 0; i < plane.length; i++) {
                plane[i] += (float) (sigma * r.nextGaussian());
            }
        }
        return image(c, img.getWidth(), img.getHeight());
    }

    public static BufferedImage blur(BufferedImage img, double sigma) {
        int w = img.getWidth();
        int h = img.getHeight();
        int rad = Math.max(1, (int) Math.ceil(3 * sigma));
        double[] k = new double[2 * rad + 1];
        double sum = 0;
        for (int i = -rad; i <= rad; i++) {
            k[i + rad] = Math.exp(-i * i / (2 * sigma * sigma));
            sum += k[i + rad];
        }
        float[][] c = rgb(img);
        float[][] out = new float[3][w * h];
        for (int ch = 0; ch < 3; ch++) {
            float[] tmp = new float[w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    for (int i = -rad; i <= rad; i++) {
                        s += k[i + rad] * c[ch][y * w + clamp(x + i, w)];
                    }
                    tmp[y * w + x] = (float) (s / sum);
                }
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    for (int i = -rad; i <= rad; i++) {
                        s += k[i + rad] * tmp[clamp(y + i, h) * w + x];
                    }
                    out[ch][y * w + x] = (float) (s / sum);
                }
            }
        }
        return image(out, w, h);
    }

    /** JPEG compression at the given quality (0 worst, 1 best) with the JDK's encoder. */
    public static BufferedImage jpeg(BufferedImage img, float quality) {
        try {
            ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(img, null, null), param);
            }
            writer.dispose();
            BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(bytes.toByteArray()));
            BufferedImage rgb = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
            rgb.getGraphics().drawImage(decoded, 0, 0, null);
            return rgb;
        } catch (IOException e) {
            throw new PlabException("JPEG round trip failed: " + e.getMessage(), e);
        }
    }

    /** Adds one colour offset of length {@code amount} in a random direction of RGB space. */
    public static BufferedImage color(BufferedImage img, double amount, long direction) {
        Random r = new Random(direction);
        double[] d = {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()};
        double norm = Math.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        float[][] c = rgb(img);
        for (int ch = 0; ch < 3; ch++) {
            float offset = (float) (amount * d[ch] / norm);
            for (int i = 0; i < c[ch].length; i++) {
                c[ch][i] += offset;
            }
        }
        return image(c, img.getWidth(), img.getHeight());
    }

    /** Translates by {@code pixels} in a random direction, borders replicated. */
    public static BufferedImage shift(BufferedImage img, int pixels, long direction) {
        double angle = new Random(direction).nextDouble() * 2 * Math.PI;
        int dx = (int) Math.round(pixels * Math.cos(angle));
        int dy = (int) Math.round(pixels * Math.sin(angle));
        int w = img.getWidth();
        int h = img.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out.setRGB(x, y, img.getRGB(clamp(x - dx, w), clamp(y - dy, h)));
            }
        }
        return out;
    }

    /** Swaps {@code pairs} random pairs of 8x8 patches. */
    public static BufferedImage shuffle(BufferedImage img, int pairs, long direction) {
        int p = 8;
        int cols = img.getWidth() / p;
        int rows = img.getHeight() / p;
        BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
        out.getGraphics().drawImage(img, 0, 0, null);
        Random r = new Random(direction);
        for (int k = 0; k < pairs; k++) {
            int a = r.nextInt(cols * rows);
            int b = r.nextInt(cols * rows);
            int[] pa = out.getRGB((a % cols) * p, (a / cols) * p, p, p, null, 0, p);
            int[] pb = out.getRGB((b % cols) * p, (b / cols) * p, p, p, null, 0, p);
            out.setRGB((a % cols) * p, (a / cols) * p, p, p, pb, 0, p);
            out.setRGB((b % cols) * p, (b / cols) * p, p, p, pa, 0, p);
        }
        return out;
    }

    private static int clamp(int i, int n) {
        return Math.max(0, Math.min(n - 1, i));
    }
}
