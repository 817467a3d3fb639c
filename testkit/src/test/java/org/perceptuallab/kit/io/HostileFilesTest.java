package org.perceptuallab.kit.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.twelvemonkeys.imageio.color.ColorSpaces;
import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageWriterSpi;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.weights.WeightFiles;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.Fixtures;

/**
 * Hostile array and image files: each is refused as bad input naming the file (and, for a budget, the figure,
 * the limit and the property that raises it) before the memory it asks for is taken; a pipe or a device is
 * no file; the budgets are settings.
 */
class HostileFilesTest extends CatalogTest {
    private static final Path PHOTO = Fixtures.photo("astronaut.png");

    @AfterEach
    void defaultBudgets() {
        for (ReadBudget.Limit limit : ReadBudget.Limit.values()) {
            System.clearProperty(limit.property());
        }
    }

    /** A version-1 .npy of float32 zeros with this header shape and {@code dataBytes} of data. */
    static byte[] npy(String shape, int dataBytes) {
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
        header = header + " ".repeat((64 - (10 + header.length() + 1) % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1));
        return b.array();
    }

    @ParameterizedTest
    @ValueSource(strings = {"(-1, 4)", "(4611686018427387904, 4)", "(3037000500, 3037000500, 3)", "(1e0,)",
        "(2.0,)", "(99999999999999999999,)"})
    void aMalformedNpyShapeIsBadInputNamingTheFile(String shape, @TempDir Path tmp) throws IOException {
        Path file = Files.write(tmp.resolve("a.npy"), npy(shape, 64));
        assertThatThrownBy(() -> NumpyArrays.readNpy(manager, file)).isExactlyInstanceOf(PlabException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("shape");
    }

    @Test
    void anNpyHeaderClaimingTwoGigabytesIsRefusedBeforeItIsRead(@TempDir Path tmp) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(Integer.MIN_VALUE);
        Path file = Files.write(tmp.resolve("a.npy"), b.array());
        assertThatThrownBy(() -> NumpyArrays.readNpy(manager, file)).isExactlyInstanceOf(PlabException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("2147483648 bytes");
    }

    @Test
    void anArrayOverTheElementBudgetIsRefusedNamingTheFigureTheLimitAndItsProperty(@TempDir Path tmp)
            throws IOException {
        Path file = Files.write(tmp.resolve("a.npy"), npy("(536870912,)", 64));
        assertThatThrownBy(() -> NumpyArrays.readNpy(manager, file)).isExactlyInstanceOf(PlabException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("536870912 elements")
                .hasMessageContaining("the limit is 134217728 elements")
                .hasMessageContaining("-Dplab.limit.tensorElements=");
    }

    @Test
    void eachBudgetIsASettingReadWhenAFileIsRead(@TempDir Path tmp) throws IOException {
        Path file = Files.write(tmp.resolve("a.npy"), npy("(2, 3)", 24));
        assertThat(NumpyArrays.readNpy(manager, file).size()).isEqualTo(6);
        System.setProperty("plab.limit.tensorElements", "5");
        assertThatThrownBy(() -> NumpyArrays.readNpy(manager, file)).hasMessageContaining("6 elements")
                .hasMessageContaining("the limit is 5 elements");
        System.setProperty("plab.limit.tensorElements", "lots");
        assertThatThrownBy(() -> NumpyArrays.readNpy(manager, file)).isExactlyInstanceOf(PlabException.class)
                .hasMessageContaining("plab.limit.tensorElements").hasMessageContaining("'lots'");
        System.setProperty("plab.limit.fileBytes", "100");
        System.clearProperty("plab.limit.tensorElements");
        assertThatThrownBy(() -> NumpyArrays.readNpy(manager, file)).hasMessageContaining(file.toString())
                .hasMessageContaining("plab.limit.fileBytes");
    }

    @Test
    void aOneMegabyteNpzBombIsRefusedInLittleMemory(@TempDir Path tmp) throws IOException {
        // 1e9 zero bytes declared as a (250000000,) float32 array: about 1 MB deflated.
        Path file = tmp.resolve("bomb.npz");
        byte[] zeros = new byte[1 << 20];
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.setLevel(Deflater.BEST_SPEED);
            zip.putNextEntry(new ZipEntry("a.npy"));
            zip.write(npy("(250000000,)", 0));
            for (int i = 0; i < 1_000_000_000 / zeros.length; i++) {
                zip.write(zeros);
            }
        }
        assertThat(Files.size(file)).isLessThan(8L << 20);
        long before = allocatedBytes();
        assertThatThrownBy(() -> NumpyArrays.read(manager, file, null)).isExactlyInstanceOf(PlabException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("a.npy")
                .hasMessageContaining("plab.limit.zipEntryBytes");
        assertThat(allocatedBytes() - before).as("heap taken by the refusal").isLessThan(16L << 20);
        // Declared within the entry budget, its header's shape is over the element budget.
        System.setProperty("plab.limit.zipEntryBytes", Long.toString(2L << 30));
        assertThatThrownBy(() -> NumpyArrays.read(manager, file, null)).isExactlyInstanceOf(PlabException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("plab.limit.tensorElements");
        assertThat(allocatedBytes() - before).as("heap taken by the refusals").isLessThan(32L << 20);
    }

    @Test
    void aZipEntryLyingAboutItsSizeIsStoppedAtTheEntryBudget(@TempDir Path tmp) throws IOException {
        // A valid (4,) array followed by 8 MB of zeros, its directory claiming the entry holds 80 bytes.
        Path file = tmp.resolve("liar.npz");
        byte[] array = npy("(4,)", 16);
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new ZipEntry("a.npy"));
            zip.write(array);
            zip.write(new byte[8 << 20]);
        }
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 4 <= bytes.length; i++) {
            if (le.getInt(i) == 0x02014b50) {
                le.putInt(i + 24, array.length); // the central directory's uncompressed size
            }
        }
        Files.write(file, bytes);
        System.setProperty("plab.limit.zipEntryBytes", "1000000");
        assertThatThrownBy(() -> NumpyArrays.read(manager, file, null)).isExactlyInstanceOf(PlabException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("a.npy")
                .hasMessageContaining("more than 1000000 bytes").hasMessageContaining("plab.limit.zipEntryBytes");
    }

    /** A PNG of only a header: signature, IHDR (8-bit RGB, width x height) and IEND. */
    static byte[] pngHeader(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put(new byte[] {8, 2, 0, 0, 0});
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(name);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** The 43-byte GIF of the issue: 20000 x 20000 declared, one LZW code of data. */
    static byte[] gif43() {
        ByteBuffer b = ByteBuffer.allocate(43).order(ByteOrder.LITTLE_ENDIAN);
        b.put("GIF89a".getBytes(StandardCharsets.US_ASCII)).putShort((short) 20000).putShort((short) 20000);
        b.put(new byte[] {(byte) 0x80, 0, 0}).put(new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255});
        b.put((byte) ',').putShort((short) 0).putShort((short) 0).putShort((short) 20000).putShort((short) 20000);
        b.put((byte) 0).put(new byte[] {2, 2, 0x44, 0x01, 0, ';'});
        b.put(new byte[b.remaining()]);
        return b.array();
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "gif"})
    void anImageDeclaringMorePixelsThanTheBudgetIsRefusedBeforeDecoding(String format, @TempDir Path tmp)
            throws IOException {
        Path file = Files.write(tmp.resolve("big." + format), format.equals("png") ? pngHeader(10000, 10000) : gif43());
        String size = format.equals("png") ? "10000 x 10000" : "20000 x 20000";
        long before = allocatedBytes();
        assertThatThrownBy(() -> Images.read(file)).isExactlyInstanceOf(PlabException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining(size)
                .hasMessageContaining("plab.limit.imagePixels");
        assertThat(allocatedBytes() - before).as("heap taken by the refusal").isLessThan(16L << 20);
    }

    @Test
    void aBmpDeclaringMorePixelDataThanItsFileIsRefusedBeforeDecoding(@TempDir Path tmp) throws IOException {
        // Found by ImageFuzzTest: the JDK's decoder allocates the declared size first (0.9 to 1.6 GB a file).
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_INDEXED), "bmp", out)).isTrue();
        ByteBuffer bmp = ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        bmp.putInt(30, 1).putInt(34, Integer.MAX_VALUE); // run-length coded, 2 GB of data
        Path file = Files.write(tmp.resolve("rle.bmp"), bmp.array());
        long before = allocatedBytes();
        assertThatThrownBy(() -> Images.read(file)).isExactlyInstanceOf(PlabException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("2147483647 bytes");
        assertThat(allocatedBytes() - before).as("heap taken by the refusal").isLessThan(16L << 20);
    }

    @Test
    void theImagePixelBudgetIsASetting() {
        assertThat(Images.read(PHOTO).getWidth()).isPositive();
        System.setProperty("plab.limit.imagePixels", "1000");
        assertThatThrownBy(() -> Images.read(PHOTO)).isExactlyInstanceOf(PlabException.class)
                .hasMessageContaining("the limit is 1000 pixels");
    }

    @Test
    void aPipeOrADeviceIsNotARegularFileRatherThanMissing(@TempDir Path tmp) throws Exception {
        Path fifo = tmp.resolve("pipe.npy");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        for (Runnable read : new Runnable[] {() -> NumpyArrays.read(manager, fifo, null), () -> Images.read(fifo),
            () -> WeightFiles.read(fifo, manager, k -> true), () -> Images.read(Path.of("/dev/zero")),
            () -> WeightFiles.read(Path.of("/dev/zero"), manager, k -> true)}) {
            assertThatThrownBy(read::run).isExactlyInstanceOf(PlabException.class)
                    .hasMessageContaining("not a regular file").hasMessageNotContaining("not found");
        }
    }

    @Test
    void anUnreadableFileIsNamedAsUnreadableNotAsAnotherFormat(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("secret.png");
        Files.copy(PHOTO, file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        assumeThat(Files.isReadable(file)).as("a user that permissions bind (root reads every file)").isFalse();
        assertThatThrownBy(() -> Images.read(file)).isExactlyInstanceOf(PlabException.class)
                .hasMessageContaining("cannot read").hasMessageContaining("permission")
                .hasMessageNotContaining("not a PNG");
    }

    @Test
    void aCmykJpegDecodesInItsOwnColours(@TempDir Path tmp) throws Exception {
        // A smooth photo, so that JPEG's subsampling of two inks does not hide what is measured: colour.
        BufferedImage rgb = Images.resize(Images.resize(Images.read(PHOTO), 24, 18), 96, 72);
        Path file = tmp.resolve("cmyk.jpg");
        writeCmykJpeg(rgb, file);
        assertThat(jpegComponents(file)).as("colour components of the JPEG").isEqualTo(4);
        assertThat(meanAbsoluteDifference(rgb, Images.read(file))).isLessThan(0.02);
        // The JDK's own decoder, which Images once used, gets the colours wrong.
        ImageReader jdk = ((ImageReaderSpi) IIORegistry.getDefaultInstance().getServiceProviderByClass(
                Class.forName("com.sun.imageio.plugins.jpeg.JPEGImageReaderSpi"))).createReaderInstance();
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            jdk.setInput(in);
            assertThat(meanAbsoluteDifference(rgb, jdk.read(0))).isGreaterThan(0.1);
        } finally {
            jdk.dispose();
        }
    }

    private static double meanAbsoluteDifference(BufferedImage a, BufferedImage b) {
        double sum = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                for (int shift = 0; shift <= 16; shift += 8) {
                    sum += Math.abs(((a.getRGB(x, y) >> shift) & 0xff) - ((b.getRGB(x, y) >> shift) & 0xff)) / 255.0;
                }
            }
        }
        return sum / (3.0 * a.getWidth() * a.getHeight());
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /**
     * Writes {@code rgb} as a 4-channel (Adobe) CMYK JPEG without an ICC profile, converted as PIL's
     * {@code convert("CMYK")} does (C = 255 - R, M = 255 - G, Y = 255 - B, K = 0), with TwelveMonkeys' writer.
     */
    private static void writeCmykJpeg(BufferedImage rgb, Path file) throws IOException {
        ColorSpace cmyk = ColorSpaces.getColorSpace(ColorSpaces.CS_GENERIC_CMYK);
        ComponentColorModel model = new ComponentColorModel(cmyk, false, false, Transparency.OPAQUE,
                DataBuffer.TYPE_BYTE);
        BufferedImage converted = new BufferedImage(model,
                model.createCompatibleWritableRaster(rgb.getWidth(), rgb.getHeight()), false, null);
        for (int y = 0; y < rgb.getHeight(); y++) {
            for (int x = 0; x < rgb.getWidth(); x++) {
                int p = rgb.getRGB(x, y);
                converted.getRaster().setPixel(x, y, new int[] {255 - ((p >> 16) & 0xff), 255 - ((p >> 8) & 0xff),
                    255 - (p & 0xff), 0});
            }
        }
        // A provider works once registered (it then finds the JDK's writer it delegates to).
        IIORegistry registry = IIORegistry.getDefaultInstance();
        registry.registerServiceProvider(new JPEGImageWriterSpi());
        ImageWriter writer = registry.getServiceProviderByClass(JPEGImageWriterSpi.class).createWriterInstance();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.95f);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(converted, null, null), param);
        } finally {
            writer.dispose();
        }
    }

    /** The number of colour components in the JPEG's frame header (SOF0 or SOF2). */
    private static int jpegComponents(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        for (int i = 2; i + 9 < b.length; ) {
            int marker = b[i + 1] & 0xff;
            if (marker == 0xc0 || marker == 0xc1 || marker == 0xc2) {
                return b[i + 9] & 0xff;
            }
            i += 2 + (((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff));
        }
        throw new IllegalStateException("no frame header in " + file);
    }
}
