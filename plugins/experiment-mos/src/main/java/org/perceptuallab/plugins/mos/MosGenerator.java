package org.perceptuallab.plugins.mos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.io.Distortions;
import org.perceptuallab.kit.io.Folders;
import org.perceptuallab.kit.io.Images;

/**
 * Makes a mean-opinion-score set in the {@code csv} layout from photos: each photo's centre square is a reference;
 * each distortion kind at each of {@code levels} strengths w = l / levels (l = 1..levels) makes a distorted image
 * whose score is 1 - w. A loss that sees the distortion orders each kind's images as the scores do; across kinds
 * the strengths are not calibrated against each other, so the per-type correlations are the telling ones.
 */
final class MosGenerator {
    /** The marker's "generator". */
    static final String GENERATOR = "plab mos-correlation generateFrom (the experiment-mos plugin)";
    static final String SCORES = "scores.csv";

    private MosGenerator() {
    }

    /** A set's shape: references, kinds, levels, image size and the seed of the distortions' patterns. */
    record Recipe(int references, List<String> kinds, int levels, int size, long seed) {
        Recipe {
            for (String kind : kinds) {
                if (!Distortions.KINDS.contains(kind)) {
                    throw new PlabException("experiment 'mos-correlation': no distortion '" + kind + "'; give"
                            + " generateKinds from " + String.join(", ", Distortions.KINDS));
                }
            }
        }
    }

    /**
     * Generates the set into {@code out} unless it already holds one (its marker exists): written into a private
     * folder first and then moved into place, as shards of one matrix may prepare the same entry at once.
     */
    static void ensure(Path photos, Path out, Recipe recipe, PrintWriter log) {
        if (Files.isRegularFile(out.resolve(MosSets.SYNTHETIC_MARKER))) {
            return;
        }
        log.println("generating a synthetic mean-opinion-score set from " + photos + " into " + out);
        log.flush();
        Path staging = out.resolveSibling(out.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime());
        try {
            generate(photos, staging, recipe);
            Files.createDirectories(out.getParent());
            Files.move(staging, out, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (!Files.isRegularFile(out.resolve(MosSets.SYNTHETIC_MARKER))) {
                throw new PlabException("cannot move the generated set into " + out + " (" + e.getMessage() + ");"
                        + " make its folder writable, or remove what is there", e);
            }
            // another shard finished the same set first; it is identical (same photos and recipe)
        } finally {
            try {
                Folders.deleteTree(staging);
            } catch (IOException ignored) {
                // best effort: a leftover staging folder does not affect results
            }
        }
    }

    /** Writes the set into {@code out}, which must not exist yet. */
    static void generate(Path photos, Path out, Recipe recipe) throws IOException {
        List<Path> files = photos(photos);
        Random random = new Random(recipe.seed());
        StringBuilder csv = new StringBuilder("reference,distorted,score,type\n");
        for (int r = 0; r < Math.min(recipe.references(), files.size()); r++) {
            String name = String.format(Locale.ROOT, "ref%02d", r);
            BufferedImage ref = Images.centreSquare(Images.read(files.get(r)), recipe.size());
            Images.writePng(ref, out.resolve("reference").resolve(name + ".png"));
            for (String kind : recipe.kinds()) {
                for (int level = 1; level <= recipe.levels(); level++) {
                    double strength = (double) level / recipe.levels();
                    String distorted = String.format(Locale.ROOT, "distorted/%s_%s_%d.png", name, kind, level);
                    Images.writePng(Distortions.apply(kind, ref, strength, random.nextLong()), out.resolve(distorted));
                    csv.append(String.format(Locale.ROOT, "reference/%s.png,%s,%.6f,%s%n", name, distorted,
                            1 - strength, kind));
                }
            }
        }
        Files.writeString(out.resolve(SCORES), csv.toString(), StandardCharsets.UTF_8);
        ObjectNode marker = JsonNodeFactory.instance.objectNode();
        marker.put("generator", GENERATOR);
        marker.put("from", photos.toAbsolutePath().normalize().toString());
        marker.put("references", Math.min(recipe.references(), files.size()));
        marker.put("kinds", String.join(",", recipe.kinds()));
        marker.put("levels", recipe.levels());
        marker.put("size", recipe.size());
        marker.put("seed", recipe.seed());
        marker.put("scores", "score = 1 - w for strength w = level / levels of the distortion; the kinds' strengths"
                + " are not calibrated against each other");
        // Last: the marker says the set is whole.
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(out.resolve(MosSets.SYNTHETIC_MARKER).toFile(), marker);
    }

    private static List<Path> photos(Path dir) {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(Images::isImageFile).sorted().toList();
        } catch (IOException e) {
            throw new PlabException("experiment 'mos-correlation': photo folder " + dir + " cannot be read ("
                    + e.getMessage() + "); give generateFrom a folder of PNG/JPEG photos", e);
        }
        if (files.isEmpty()) {
            throw new PlabException("experiment 'mos-correlation': photo folder " + dir + " holds no image; give"
                    + " generateFrom a folder of PNG/JPEG photos");
        }
        return files;
    }
}
