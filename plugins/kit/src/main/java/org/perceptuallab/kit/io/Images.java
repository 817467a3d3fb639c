package org.perceptuallab.kit.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.stream.ImageInputStream;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.tensor.Ops;

/**
 * Image files to tensors and back. Tensors are float32 (1, C, H, W) in [-1, 1] (pixel p maps to
 * 2 p / 255 - 1); images are read as RGB (C = 3) or grey (C = 1).
 */
public final class Images {
    static {
        // CMYK and YCCK JPEGs in their right colours: TwelveMonkeys' reader (which orders itself before the
        // JDK's) is registered here, since ImageIO scans only the class path it first starts on, not the
        // class loaders of plugins.
        IIORegistry.getDefaultInstance().registerServiceProvider(new JPEGImageReaderSpi());
    }

    private Images() {
    }

    /** The file name endings read as images. */
    public static final List<String> SUFFIXES = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");

    /** Whether {@code file}'s name ends like an image's (any case). */
    public static boolean isImageFile(Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return SUFFIXES.stream().anyMatch(name::endsWith);
    }

    /**
     * Reads a PNG or JPEG (or any format ImageIO decodes; CMYK and YCCK JPEGs converted to RGB through their
     * ICC profile, or a generic one where they have none). Its width and height are read from the header and
     * held to {@link ReadBudget.Limit#IMAGE_PIXELS} before it is decoded. Damage a decoder only warns about (a
     * JPEG cut short decodes with its missing rows grey) is an error: a damaged image must not give a result.
     */
    public static BufferedImage read(Path file) {
        InputFiles.requireFile(file, "image (PNG or JPEG)");
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new PlabException("cannot decode image " + file + ": not a PNG, JPEG, GIF or BMP file");
            }
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> {
                // A CMYK JPEG without a usable ICC profile converts through a generic one (as PIL writes
                // them); that is colour management, not damage.
                if (!warning.contains("ICC")) {
                    warnings.add(warning);
                }
            });
            try {
                reader.setInput(in, true, true);
                long width = reader.getWidth(0);
                long height = reader.getHeight(0);
                ReadBudget.Limit.IMAGE_PIXELS.check(file, "the image (" + width + " x " + height + ")",
                        width * height);
                if (reader.getFormatName().equalsIgnoreCase("bmp")) {
                    requirePlausibleBmp(file);
                }
                BufferedImage img = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new PlabException("image " + file + " is damaged or truncated (the "
                            + reader.getFormatName() + " decoder says: " + String.join("; ", warnings)
                            + "); export or copy it again");
                }
                return img;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof PlabException plab) {
                throw plab;
            }
            throw new PlabException("cannot decode image " + file + " (" + e.getMessage()
                    + "); is it a whole, valid PNG or JPEG?", e);
        }
    }

    /**
     * Refuses a BMP whose header declares sizes past the file's own length: the JDK's decoder allocates the
     * declared pixel-data size (of a compressed image) and palette before reading them, so a 60-byte file
     * could ask for gigabytes within the pixel budget.
     */
    private static void requirePlausibleBmp(Path file) throws IOException {
        long length = Files.size(file);
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(54);
        }
        if (head.length < 54) {
            return; // a cut header: the decoder reports the truncation
        }
        ByteBuffer le = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        requireWithin(file, length, "a pixel-data offset", Integer.toUnsignedLong(le.getInt(10)));
        requireWithin(file, length, "a header", Integer.toUnsignedLong(le.getInt(14)));
        requireWithin(file, length, "pixel data", Integer.toUnsignedLong(le.getInt(34)));
        requireWithin(file, length, "a palette", 4 * Integer.toUnsignedLong(le.getInt(46)));
    }

    private static void requireWithin(Path file, long length, String what, long bytes) {
        if (bytes > length) {
            throw new PlabException("image " + file + " is damaged: its BMP header declares " + what + " of " + bytes
                    + " bytes, more than the file's " + length);
        }
    }

    /** Scales to width x height: area averaging when shrinking, bicubic when enlarging. */
    public static BufferedImage resize(BufferedImage img, int width, int height) {
        if (img.getWidth() == width && img.getHeight() == height) {
            return img;
        }
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        if (width < img.getWidth() || height < img.getHeight()) {
            g.drawImage(img.getScaledInstance(width, height, java.awt.Image.SCALE_AREA_AVERAGING), 0, 0, null);
        } else {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.drawImage(img, 0, 0, width, height, null);
        }
        g.dispose();
        return out;
    }

    /** The width x height crop whose top-left corner is (x, y). */
    public static BufferedImage crop(BufferedImage img, int x, int y, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.drawImage(img, -x, -y, null);
        g.dispose();
        return out;
    }

    /** Resized so that the shorter side is {@code size} (aspect kept), then its centre size x size square. */
    public static BufferedImage centreSquare(BufferedImage img, int size) {
        double scale = (double) size / Math.min(img.getWidth(), img.getHeight());
        int w = Math.max(size, (int) Math.round(img.getWidth() * scale));
        int h = Math.max(size, (int) Math.round(img.getHeight() * scale));
        BufferedImage resized = resize(img, w, h);
        return crop(resized, (w - size) / 2, (h - size) / 2, size, size);
    }

    /** The image as a (1, channels, H, W) float32 tensor in [-1, 1]; channels is 3 (RGB) or 1 (grey). */
    public static NDArray toTensor(NDManager manager, BufferedImage img, int channels) {
        return Ops.owned(manager.create(pixels(img, channels), new Shape(1, channels, img.getHeight(), img.getWidth())));
    }

    /** The image's values in [-1, 1], channel-major (C, H, W), as {@link #toTensor} holds them. */
    public static float[] pixels(BufferedImage img, int channels) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        int w = img.getWidth();
        int h = img.getHeight();
        float[] v = new float[channels * h * w];
        int plane = h * w;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 0xff;
                int gr = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                int i = y * w + x;
                if (channels == 3) {
                    v[i] = r / 127.5f - 1f;
                    v[plane + i] = gr / 127.5f - 1f;
                    v[2 * plane + i] = b / 127.5f - 1f;
                } else {
                    v[i] = (0.299f * r + 0.587f * gr + 0.114f * b) / 127.5f - 1f;
                }
            }
        }
        return v;
    }

    /** Reads a file straight to a (1, channels, H, W) tensor, resized when width and height are > 0. */
    public static NDArray load(NDManager manager, Path file, int channels, int width, int height) {
        BufferedImage img = read(file);
        if (width > 0 && height > 0) {
            img = resize(img, width, height);
        }
        return toTensor(manager, img, channels);
    }

    /** A (C, H, W) or (1, C, H, W) tensor in [-1, 1] (clipped) as an image; C is 1 or 3. */
    public static BufferedImage fromTensor(NDArray t) {
        NDArray a = t.getShape().dimension() == 4 ? t.get(0) : t;
        Shape s = a.getShape();
        int c = (int) s.get(0);
        int h = (int) s.get(1);
        int w = (int) s.get(2);
        float[] v = a.toType(DataType.FLOAT32, false).toFloatArray();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int plane = h * w;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int r = toByte(v[i]);
                int g = c == 3 ? toByte(v[plane + i]) : r;
                int b = c == 3 ? toByte(v[2 * plane + i]) : r;
                out.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return out;
    }

    private static int toByte(float v) {
        float clipped = Math.max(-1f, Math.min(1f, v));
        return Math.round((clipped + 1f) * 127.5f);
    }

    /** Writes a PNG. */
    public static void writePng(BufferedImage img, Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            ImageIO.write(img, "png", file.toFile());
        } catch (IOException e) {
            throw new PlabException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
