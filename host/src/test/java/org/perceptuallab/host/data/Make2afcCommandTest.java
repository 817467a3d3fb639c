package org.perceptuallab.host.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.host.Plab;
import org.perceptuallab.testkit.Fixtures;
import picocli.CommandLine;

/** {@code plab make-2afc} writes the BAPPS layout, judge files numpy can read, and the synthetic marker. */
class Make2afcCommandTest {

    @Test
    void writesTheBappsLayoutWithJudgesTowardTheWeakerDistortion(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("set");
        StringWriter text = new StringWriter();
        CommandLine cl = Plab.commandLine();
        cl.setOut(new PrintWriter(text));
        int code = cl.execute("make-2afc", "--from", Fixtures.photos().toString(), "--out", out.toString(),
                "--triplets", "12", "--seed", "4");
        assertThat(code).isZero();
        assertThat(text.toString().trim()).isEqualTo(out.toAbsolutePath().normalize().toString());
        assertThat(out.resolve(TwoAfcGenerator.MARKER)).isRegularFile();
        for (String kind : TwoAfcGenerator.KINDS) {
            for (String part : new String[] {"ref", "p0", "p1", "judge"}) {
                try (Stream<Path> files = Files.list(out.resolve(kind).resolve(part))) {
                    assertThat(files.count()).as("%s/%s", kind, part).isEqualTo(2);
                }
            }
            byte[] npy = Files.readAllBytes(out.resolve(kind).resolve("judge/000000.npy"));
            assertThat(new String(npy, 1, 5, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("NUMPY");
            int headerLength = ByteBuffer.wrap(npy, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
            assertThat((10 + headerLength) % 64).as("numpy aligns the data to 64 bytes").isZero();
            float judge = ByteBuffer.wrap(npy, 10 + headerLength, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
            assertThat(judge).isIn(0f, 1f);
        }
        // The same seed makes the same set.
        Path again = tmp.resolve("again");
        Plab.commandLine().execute("make-2afc", "--from", Fixtures.photos().toString(), "--out", again.toString(),
                "--triplets", "12", "--seed", "4");
        assertThat(Files.readAllBytes(again.resolve("noise/p1/000001.png")))
                .isEqualTo(Files.readAllBytes(out.resolve("noise/p1/000001.png")));
    }

    @Test
    void strongerDistortionIsFurtherInPixelsForNoiseAndColor() {
        var ref = new java.awt.image.BufferedImage(32, 32, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 32 * 32; i++) {
            ref.setRGB(i % 32, i / 32, 0x808080);
        }
        for (String kind : new String[] {"noise", "color", "blur"}) {
            double weak = distance(ref, TwoAfcGenerator.Distortions.apply(kind, ref, 0.3, 1));
            double strong = distance(ref, TwoAfcGenerator.Distortions.apply(kind, ref, 0.8, 2));
            if (kind.equals("blur")) {
                assertThat(strong).as("a flat image does not change under blur").isZero();
            } else {
                assertThat(strong).as(kind).isGreaterThan(weak).isGreaterThan(0);
            }
        }
    }

    private static double distance(java.awt.image.BufferedImage a, java.awt.image.BufferedImage b) {
        double sum = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int s = 0; s < 24; s += 8) {
                    double d = ((p >> s) & 0xff) - ((q >> s) & 0xff);
                    sum += d * d;
                }
            }
        }
        return sum;
    }
}
