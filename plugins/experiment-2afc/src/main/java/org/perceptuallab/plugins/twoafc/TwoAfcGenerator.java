package org.perceptuallab.plugins.twoafc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.io.Distortions;
import org.perceptuallab.kit.io.Folders;
import org.perceptuallab.kit.io.Images;
import org.perceptuallab.kit.io.TwoAfcSets;

/**
 * Makes a 2AFC set in the BAPPS layout from real photos. Each triplet: a reference cut from a photo at a
 * random place and scale, and two distortions of the same kind at two strengths, the stronger 1.25 to 2.5
 * times the weaker, each with its own random pattern (noise sample, colour direction, shift direction,
 * swapped patches), so that a loss must weigh how much, not where; one category per kind (noise, blur,
 * jpeg, color, shift, shuffle). The judge is 1 when p1 is the weaker distortion, else 0 ({@link JudgeModel#HARD}), or
 * w0^4 / (w0^4 + w1^4) for strengths w0, w1 ({@link JudgeModel#SOFT}).
 */
final class TwoAfcGenerator {
    /** The categories, one per distortion kind. */
    static final List<String> KINDS = Distortions.KINDS;
    /** The marker's "generator": a folder whose marker says this holds a set written here. */
    static final String GENERATOR = "plab make-2afc (the 2afc plugin)";

    /** How the judge value follows from the two strengths. */
    enum JudgeModel {
        /** 1 when p1 is the weaker distortion, else 0. */
        HARD("judge = 1 if p1 is the weaker distortion of the pair, else 0"),
        /** A smooth preference for the weaker one. */
        SOFT("judge = w0^4 / (w0^4 + w1^4) for distortion strengths w0 (p0) and w1 (p1)");

        final String text;

        JudgeModel(String text) {
            this.text = text;
        }
    }

    private TwoAfcGenerator() {
    }

    /** Generates the set unless {@code out} already holds a finished one (its marker exists). */
    static void ensure(Path photos, Path out, int triplets, long seed, PrintWriter log) {
        if (Files.isRegularFile(out.resolve(TwoAfcSets.SYNTHETIC_MARKER))) {
            return;
        }
        log.println("generating a synthetic 2AFC set of " + triplets + " triplets from " + photos + " into " + out);
        log.flush();
        // Into a private folder, then moved into place: shards of one matrix may generate the same set at once.
        Path staging = out.resolveSibling(out.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime());
        generate(photos, staging, triplets, seed, 64, JudgeModel.HARD);
        try {
            clearForOutput(out);
            Files.move(staging, out, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (!Files.isRegularFile(out.resolve(TwoAfcSets.SYNTHETIC_MARKER))) {
                throw new PlabException("cannot move the generated 2AFC set into " + out + ": " + e.getMessage(), e);
            }
            // another process finished the same set first; its copy is identical (same photos and seed)
        } finally {
            try {
                Folders.deleteTree(staging);
            } catch (IOException ignored) {
                // best effort: a leftover staging folder does not affect results
            }
        }
    }

    /**
     * Writes {@code triplets} triplets (spread evenly over the kinds) of {@code size} x {@code size} images.
     *
     * @throws PlabException when the photo folder holds no image
     */
    static void generate(Path photos, Path out, int triplets, long seed, int size, JudgeModel model) {
        List<BufferedImage> sources = photos(photos);
        try {
            clearForOutput(out);
            Random random = new Random(seed);
            for (int i = 0; i < triplets; i++) {
                String kind = KINDS.get(i % KINDS.size());
                Path dir = out.resolve(kind);
                String name = String.format(Locale.ROOT, "%06d", i / KINDS.size());
                BufferedImage ref = reference(sources.get(random.nextInt(sources.size())), size, random);
                double weak = 0.3 + 0.4 * random.nextDouble();
                double strong = Math.min(1.0, weak * (1.25 + 1.25 * random.nextDouble()));
                boolean weakFirst = random.nextBoolean();
                double w0 = weakFirst ? weak : strong;
                double w1 = weakFirst ? strong : weak;
                Images.writePng(ref, dir.resolve("ref").resolve(name + ".png"));
                Images.writePng(Distortions.apply(kind, ref, w0, random.nextLong()), dir.resolve("p0").resolve(name + ".png"));
                Images.writePng(Distortions.apply(kind, ref, w1, random.nextLong()), dir.resolve("p1").resolve(name + ".png"));
                double judge = model == JudgeModel.HARD ? (w1 < w0 ? 1 : 0)
                        : Math.pow(w0, 4) / (Math.pow(w0, 4) + Math.pow(w1, 4));
                writeScalarNpy(dir.resolve("judge").resolve(name + ".npy"), (float) judge);
            }
            ObjectNode marker = JsonNodeFactory.instance.objectNode();
            marker.put("generator", GENERATOR);
            marker.put("from", photos.toAbsolutePath().normalize().toString());
            marker.put("triplets", triplets);
            marker.put("seed", seed);
            marker.put("size", size);
            marker.put("judgeModel", model.text);
            marker.put("distortions", "per category one kind (" + String.join(", ", KINDS) + "); p0 and p1 share the"
                    + " kind, each with its own random pattern; strengths w in [0.3, 1], the stronger 1.25-2.5x the weaker");
            // Last: the marker says the set is whole (the staging folder is moved into place after it).
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve(TwoAfcSets.SYNTHETIC_MARKER).toFile(), marker);
        } catch (IOException e) {
            throw new PlabException("cannot write the 2AFC set into " + out + ": " + e.getMessage(), e);
        }
    }

    private static List<BufferedImage> photos(Path dir) {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g)"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new PlabException("photo folder " + dir + " cannot be read (" + e.getMessage() + "); pass --from"
                    + " a folder of PNG/JPEG photos", e);
        }
        if (files.isEmpty()) {
            throw new PlabException("photo folder " + dir + " holds no PNG/JPEG image; pass --from a folder of photos");
        }
        List<BufferedImage> out = new ArrayList<>();
        files.forEach(f -> out.add(Images.read(f)));
        return out;
    }

    /** A square crop of a random side between half and all of the shorter side, resized. */
    private static BufferedImage reference(BufferedImage photo, int size, Random random) {
        int shorter = Math.min(photo.getWidth(), photo.getHeight());
        int side = Math.max(Math.min(size, shorter), shorter / 2 + random.nextInt(Math.max(1, shorter - shorter / 2 + 1)));
        side = Math.min(side, shorter);
        int x = random.nextInt(photo.getWidth() - side + 1);
        int y = random.nextInt(photo.getHeight() - side + 1);
        return Images.resize(Images.crop(photo, x, y, side, side), size, size);
    }

    /** A float32 array of shape (1) in the .npy format (the BAPPS judge files). */
    static void writeScalarNpy(Path file, float value) throws IOException {
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII)).putFloat(value);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, b.array());
    }

    /**
     * Makes way for a set at {@code out} without deleting anything this generator did not write: a missing
     * folder is left to be made, an empty one or an earlier set (its marker names this generator, and it holds
     * nothing but the marker and the kinds' folders) is removed; anything else is refused, naming what it holds.
     */
    static void clearForOutput(Path out) throws IOException {
        if (!Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS)) {
            throw new PlabException(out + " is not a folder; give a new or empty folder for the 2AFC set");
        }
        List<String> foreign;
        try (Stream<Path> entries = Files.list(out)) {
            foreign = entries.map(e -> e.getFileName().toString()).sorted().toList();
        }
        if (isEarlierSet(out)) {
            foreign = foreign.stream().filter(n -> !n.equals(TwoAfcSets.SYNTHETIC_MARKER) && !KINDS.contains(n))
                    .toList();
        }
        if (!foreign.isEmpty()) {
            throw new PlabException("folder " + out + " holds files the 2AFC generator did not write ("
                    + String.join(", ", foreign.subList(0, Math.min(3, foreign.size())))
                    + (foreign.size() > 3 ? ", and " + (foreign.size() - 3) + " more" : "") + "), so it is not"
                    + " replaced: a set is written into a missing or empty folder, or over an earlier set (with its "
                    + TwoAfcSets.SYNTHETIC_MARKER + "); give another folder, or move those files away");
        }
        Folders.deleteTree(out);
    }

    /** Whether the folder's marker says this generator wrote it. */
    private static boolean isEarlierSet(Path folder) {
        Path marker = folder.resolve(TwoAfcSets.SYNTHETIC_MARKER);
        try {
            return Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)
                    && GENERATOR.equals(new ObjectMapper().readTree(marker.toFile()).path("generator").asText());
        } catch (IOException unreadable) {
            return false;
        }
    }
}
