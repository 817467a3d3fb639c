package org.perceptuallab.plugins.twoafc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.PluginCommand;
import org.perceptuallab.kit.io.Distortions;
import org.perceptuallab.kit.io.Images;
import org.perceptuallab.kit.io.TwoAfcSets;
import org.perceptuallab.testkit.Fixtures;

/** The make-2afc command and the generator behind it. */
class Make2afcTest {
    private final StringWriter text = new StringWriter();

    private PluginCommand.Context context(long seed) {
        return new PluginCommand.Context() {
            @Override
            public PrintWriter out() {
                return new PrintWriter(text, true);
            }

            @Override
            public PrintWriter err() {
                return new PrintWriter(new StringWriter(), true);
            }

            @Override
            public long seed() {
                return seed;
            }
        };
    }

    @Test
    void writesTheBappsLayoutWithJudgesTowardTheWeakerDistortion(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("set");
        int code = new Make2afc().run(List.of("--from", Fixtures.photos().toString(), "--out", out.toString(),
                "--triplets", "24"), context(4));
        assertThat(code).isZero();
        assertThat(text.toString().trim()).isEqualTo(out.toAbsolutePath().normalize().toString());
        assertThat(out.resolve(TwoAfcSets.SYNTHETIC_MARKER)).isRegularFile();
        for (String kind : TwoAfcGenerator.KINDS) {
            for (String part : new String[] {"ref", "p0", "p1", "judge"}) {
                try (Stream<Path> files = Files.list(out.resolve(kind).resolve(part))) {
                    assertThat(files.count()).as("%s/%s", kind, part).isEqualTo(4);
                }
            }
            for (int i = 0; i < 4; i++) {
                String name = String.format("%06d", i);
                float judge = judge(out.resolve(kind).resolve("judge/" + name + ".npy"));
                assertThat(judge).isIn(0f, 1f);
                // For noise and colour shifts pixel distance grows with strength: the judge picks the nearer one.
                if (kind.equals("noise") || kind.equals("color")) {
                    BufferedImage ref = Images.read(out.resolve(kind).resolve("ref/" + name + ".png"));
                    double d0 = distance(ref, Images.read(out.resolve(kind).resolve("p0/" + name + ".png")));
                    double d1 = distance(ref, Images.read(out.resolve(kind).resolve("p1/" + name + ".png")));
                    assertThat(judge).as("%s %s: d0 %.1f, d1 %.1f", kind, name, d0, d1).isEqualTo(d1 < d0 ? 1f : 0f);
                }
            }
        }
        // The same seed makes the same set; another seed another one.
        Path again = tmp.resolve("again");
        new Make2afc().run(List.of("--from", Fixtures.photos().toString(), "--out", again.toString(), "--triplets",
                "24"), context(4));
        assertThat(Files.readAllBytes(again.resolve("noise/p1/000001.png")))
                .isEqualTo(Files.readAllBytes(out.resolve("noise/p1/000001.png")));
        Path other = tmp.resolve("other");
        new Make2afc().run(List.of("--from", Fixtures.photos().toString(), "--out", other.toString(), "--triplets",
                "24"), context(5));
        assertThat(Files.readAllBytes(other.resolve("noise/p1/000001.png")))
                .isNotEqualTo(Files.readAllBytes(out.resolve("noise/p1/000001.png")));
    }

    @Test
    void aFolderHoldingOtherFilesIsRefusedAndKeptWhileItsOwnEarlierSetIsReplaced(@TempDir Path tmp) throws Exception {
        List<String> make = List.of("--from", Fixtures.photos().toString(), "--triplets", "6", "--size", "16");
        Path user = Files.createDirectories(tmp.resolve("user"));
        Path thesis = Files.writeString(user.resolve("thesis.tex"), "three years of work");
        Files.createDirectories(user.resolve("noise"));
        assertThatThrownBy(() -> new Make2afc().run(concat(make, "--out", user.toString()), context(1)))
                .isInstanceOf(PlabException.class).hasMessageContaining(user.toString())
                .hasMessageContaining("holds files the 2AFC generator did not write (noise, thesis.tex)")
                .hasMessageContaining("give another folder, or move those files away");
        assertThat(thesis).hasContent("three years of work");
        assertThat(user.resolve("noise")).isDirectory();

        Path set = tmp.resolve("set");
        assertThat(new Make2afc().run(concat(make, "--out", Files.createDirectories(set).toString()), context(1)))
                .as("an empty folder is written into").isZero();
        Files.delete(set.resolve("noise/p1/000000.png"));
        assertThat(new Make2afc().run(concat(make, "--out", set.toString()), context(2)))
                .as("its own earlier set is replaced").isZero();
        assertThat(set.resolve("noise/p1/000000.png")).isRegularFile();
        assertThat(set.resolve(TwoAfcSets.SYNTHETIC_MARKER)).content().contains("\"seed\" : 2");

        // A marker beside other files does not make them the generator's, nor does a marker it did not write.
        Path notes = Files.writeString(set.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> new Make2afc().run(concat(make, "--out", set.toString()), context(3)))
                .hasMessageContaining("(notes.txt)");
        Files.delete(notes);
        Files.writeString(set.resolve(TwoAfcSets.SYNTHETIC_MARKER), "{\"generator\": \"someone else\"}");
        assertThatThrownBy(() -> new Make2afc().run(concat(make, "--out", set.toString()), context(3)))
                .hasMessageContaining(TwoAfcSets.SYNTHETIC_MARKER);
        assertThat(set.resolve("noise/p1/000000.png")).isRegularFile();
    }

    private static List<String> concat(List<String> args, String... more) {
        return Stream.concat(args.stream(), Stream.of(more)).toList();
    }

    @Test
    void badArgumentsAreNamedWithTheFix() {
        Make2afc command = new Make2afc();
        assertThatThrownBy(() -> command.run(List.of("--out", "x"), context(0))).isInstanceOf(PlabException.class)
                .hasMessageContaining("--from DIR and --out DIR are required");
        assertThatThrownBy(() -> command.run(List.of("--from", "a", "--out", "b", "--triplets", "none"), context(0)))
                .hasMessageContaining("--triplets must be a whole number of at least 1, got 'none'");
        assertThatThrownBy(() -> command.run(List.of("--judge", "maybe"), context(0)))
                .hasMessageContaining("--judge must be HARD or SOFT");
        assertThatThrownBy(() -> command.run(List.of("--frm", "a"), context(0))).hasMessageContaining("unknown option '--frm'");
    }

    @Test
    void strongerDistortionIsFurtherInPixelsForNoiseAndColor() {
        var ref = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 32 * 32; i++) {
            ref.setRGB(i % 32, i / 32, 0x808080);
        }
        for (String kind : new String[] {"noise", "color", "blur"}) {
            double weak = distance(ref, Distortions.apply(kind, ref, 0.3, 1));
            double strong = distance(ref, Distortions.apply(kind, ref, 0.8, 2));
            if (kind.equals("blur")) {
                assertThat(strong).as("a flat image does not change under blur").isZero();
            } else {
                assertThat(strong).as(kind).isGreaterThan(weak).isGreaterThan(0);
            }
        }
    }

    private static float judge(Path npy) throws Exception {
        byte[] bytes = Files.readAllBytes(npy);
        assertThat(new String(bytes, 1, 5, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("NUMPY");
        int headerLength = ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
        assertThat((10 + headerLength) % 64).as("numpy aligns the data to 64 bytes").isZero();
        return ByteBuffer.wrap(bytes, 10 + headerLength, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
    }

    private static double distance(BufferedImage a, BufferedImage b) {
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
        return Math.sqrt(sum);
    }
}
