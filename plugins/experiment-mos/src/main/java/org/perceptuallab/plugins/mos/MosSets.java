package org.perceptuallab.plugins.mos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.io.InputFiles;

/**
 * Mean-opinion-score sets in the common layouts, read into (reference, distorted, score, distortion type) pairs:
 * <ul>
 *   <li>{@code tid2013}: {@code mos_with_names.txt} (lines "score name", e.g. {@code 5.51 i01_01_1.bmp}),
 *       {@code reference_images/I01.BMP}, {@code distorted_images/i01_01_1.bmp}; file names matched without
 *       regard to case, as the published set mixes it; the type is the name's second field;</li>
 *   <li>{@code kadid10k}: {@code dmos.csv} (header {@code dist_img,ref_img,dmos[,var]}) and {@code images/};
 *       the type is the distorted name's second field;</li>
 *   <li>{@code csv}: any set (LIVE exported, a lab's own) as a CSV with the header
 *       {@code reference,distorted,score[,type]} (any order), paths relative to the set's folder.</li>
 * </ul>
 */
final class MosSets {
    /** The marker file of a generated set. */
    static final String SYNTHETIC_MARKER = "SYNTHETIC.json";

    /** A set's layout, by the name the {@code layout} parameter takes. */
    enum Layout {
        TID2013("tid2013", "mos_with_names.txt"),
        KADID10K("kadid10k", "dmos.csv"),
        CSV("csv", null);

        final String id;
        final String scoreFile;

        Layout(String id, String scoreFile) {
            this.id = id;
            this.scoreFile = scoreFile;
        }

        static Layout of(String id) {
            for (Layout l : values()) {
                if (l.id.equals(id)) {
                    return l;
                }
            }
            throw new IllegalArgumentException(id);
        }
    }

    /** One rated image: its reference, itself, the people's score and its distortion type. */
    record Pair(Path reference, Path distorted, double score, String type) {
    }

    private MosSets() {
    }

    /** The layout of the set at {@code root}, from the score file it holds. */
    static Layout detect(Path root, String csvName) {
        requireFolder(root);
        for (Layout l : List.of(Layout.TID2013, Layout.KADID10K)) {
            if (Files.isRegularFile(root.resolve(l.scoreFile))) {
                return l;
            }
        }
        if (Files.isRegularFile(root.resolve(csvName))) {
            return Layout.CSV;
        }
        throw new PlabException("experiment 'mos-correlation': " + root + " holds none of mos_with_names.txt"
                + " (TID2013), dmos.csv (KADID-10k) or " + csvName + " (a CSV with the header"
                + " reference,distorted,score[,type]); give the set's root folder as 'data', or name the CSV with"
                + " 'scores'");
    }

    /** Every pair of the set, in the score file's order. */
    static List<Pair> read(Path root, Layout layout, String csvName) {
        requireFolder(root);
        return switch (layout) {
            case TID2013 -> tid2013(root);
            case KADID10K -> kadid10k(root);
            case CSV -> csv(root, csvName);
        };
    }

    private static List<Pair> tid2013(Path root) {
        Path file = root.resolve(Layout.TID2013.scoreFile);
        Map<String, Path> references = byLowerCaseName(root.resolve("reference_images"));
        Map<String, Path> distorted = byLowerCaseName(root.resolve("distorted_images"));
        List<Pair> out = new ArrayList<>();
        List<String> lines = lines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] fields = line.split("\\s+");
            String where = file + " line " + (i + 1);
            if (fields.length != 2) {
                throw new PlabException(where + ": expected 'score name' (e.g. '5.51 i01_01_1.bmp'), got '" + line
                        + "'; fix the line or give the published mos_with_names.txt");
            }
            String name = fields[1];
            String[] parts = stem(name).split("_");
            if (parts.length != 3) {
                throw new PlabException(where + ": image name '" + name + "' is not REF_TYPE_LEVEL (e.g."
                        + " i01_01_1.bmp); fix the name");
            }
            Path reference = find(references, parts[0], root.resolve("reference_images"), where);
            Path image = find(distorted, stem(name), root.resolve("distorted_images"), where);
            out.add(new Pair(reference, image, number(fields[0], where, "score"), parts[1]));
        }
        return requireSome(out, file);
    }

    private static List<Pair> kadid10k(Path root) {
        Path file = root.resolve(Layout.KADID10K.scoreFile);
        Path images = root.resolve("images");
        return table(file, List.of("dist_img", "ref_img", "dmos"), (row, where) -> {
            String name = row.get("dist_img");
            String[] parts = stem(name).split("_");
            if (parts.length != 3) {
                throw new PlabException(where + ": image name '" + name + "' is not REF_TYPE_LEVEL (e.g."
                        + " I01_01_01.png); fix the name");
            }
            return new Pair(existing(images.resolve(row.get("ref_img")), where),
                    existing(images.resolve(name), where), number(row.get("dmos"), where, "dmos"), parts[1]);
        });
    }

    private static List<Pair> csv(Path root, String csvName) {
        Path file = root.resolve(csvName);
        return table(file, List.of("reference", "distorted", "score"), (row, where) -> new Pair(
                existing(root.resolve(row.get("reference")), where), existing(root.resolve(row.get("distorted")), where),
                number(row.get("score"), where, "score"), row.getOrDefault("type", "all")));
    }

    private interface RowReader {
        Pair read(Map<String, String> row, String where);
    }

    /** The rows of a CSV with a header naming at least {@code required}; blank lines skipped. */
    private static List<Pair> table(Path file, List<String> required, RowReader reader) {
        List<String> lines = lines(file);
        if (lines.isEmpty()) {
            throw new PlabException(file + " is empty; it needs a header line (" + String.join(",", required)
                    + ") and one row per rated image");
        }
        List<String> header = split(lines.get(0)).stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        List<String> missing = required.stream().filter(c -> !header.contains(c)).toList();
        if (!missing.isEmpty()) {
            throw new PlabException(file + " line 1: the header " + header + " lacks " + String.join(", ", missing)
                    + "; the first line names the columns, at least " + String.join(",", required));
        }
        List<Pair> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String where = file + " line " + (i + 1);
            List<String> cells = split(lines.get(i));
            if (cells.size() != header.size()) {
                throw new PlabException(where + ": " + cells.size() + " fields for the header's " + header.size()
                        + " (" + String.join(",", header) + "); fix the row");
            }
            Map<String, String> row = new HashMap<>();
            for (int c = 0; c < cells.size(); c++) {
                row.put(header.get(c), cells.get(c));
            }
            out.add(reader.read(row, where));
        }
        return requireSome(out, file);
    }

    /** A CSV line's fields, trimmed, surrounding double quotes removed. */
    private static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        for (String cell : line.split(",", -1)) {
            String t = cell.trim();
            out.add(t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t);
        }
        return out;
    }

    private static List<String> lines(Path file) {
        InputFiles.requireFile(file, "score list");
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw InputFiles.cannotRead(file, e);
        }
    }

    private static double number(String text, String where, String column) {
        try {
            double v = Double.parseDouble(text);
            if (Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        throw new PlabException(where + ": " + column + " '" + text + "' is not a finite number; fix the row");
    }

    private static Path existing(Path image, String where) {
        if (!Files.isRegularFile(image)) {
            throw new PlabException(where + ": image " + image + " not found; put it there or fix the row's path");
        }
        return image;
    }

    /** The files of a folder by their lower-case stem. */
    private static Map<String, Path> byLowerCaseName(Path folder) {
        requireFolder(folder);
        try (Stream<Path> files = Files.list(folder)) {
            Map<String, Path> out = new HashMap<>();
            files.filter(Files::isRegularFile).forEach(f -> out.put(stem(f.getFileName().toString())
                    .toLowerCase(Locale.ROOT), f));
            return out;
        } catch (IOException e) {
            throw new PlabException("cannot list " + folder + ": " + e.getMessage(), e);
        }
    }

    private static Path find(Map<String, Path> files, String stem, Path folder, String where) {
        Path f = files.get(stem.toLowerCase(Locale.ROOT));
        if (f == null) {
            throw new PlabException(where + ": no image named " + stem + ".* in " + folder + "; put it there or"
                    + " fix the line");
        }
        return f;
    }

    private static String stem(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    private static void requireFolder(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new PlabException("experiment 'mos-correlation': folder " + folder + " not found; give the root of a"
                    + " mean-opinion-score set (TID2013, KADID-10k, or a folder with a scores CSV), or 'generateFrom'"
                    + " a folder of photos");
        }
    }

    private static List<Pair> requireSome(List<Pair> pairs, Path file) {
        if (pairs.isEmpty()) {
            throw new PlabException(file + " lists no rated image; add one row per distorted image");
        }
        return pairs;
    }
}
