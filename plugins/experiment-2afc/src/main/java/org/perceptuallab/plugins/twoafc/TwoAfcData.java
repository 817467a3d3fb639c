package org.perceptuallab.plugins.twoafc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.io.NumpyArrays;

/**
 * A 2AFC set in the BAPPS layout: {@code <root>/<category>/{ref,p0,p1}/NAME.png} and
 * {@code judge/NAME.npy} (the fraction of people who judged p1 closer to ref).
 */
final class TwoAfcData {
    /** The marker file {@code plab make-2afc} writes at the root of a generated set. */
    static final String SYNTHETIC_MARKER = "SYNTHETIC.json";
    /** The summary plab serve's export writes beside the triplets (people's judgements, the human ceiling). */
    static final String JUDGING_SUMMARY = "judging-summary.json";

    /** One triplet and its judgement. */
    record Triplet(Path ref, Path p0, Path p1, double judge) {
    }

    private TwoAfcData() {
    }

    /** The categories under {@code root} (folders with a ref folder), sorted, filtered by {@code only}. */
    static List<String> categories(Path root, List<String> only) {
        if (!Files.isDirectory(root)) {
            throw new PlabException("experiment '2afc': data folder " + root + " not found; give a BAPPS-layout root"
                    + " (<root>/<category>/{ref,p0,p1,judge}) or generate one with 'plab make-2afc'");
        }
        List<String> out;
        try (Stream<Path> dirs = Files.list(root)) {
            out = dirs.filter(d -> Files.isDirectory(d.resolve("ref"))).map(d -> d.getFileName().toString())
                    .filter(name -> only.isEmpty() || only.contains(name)).sorted().toList();
        } catch (IOException e) {
            throw new PlabException("cannot list " + root + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new PlabException("experiment '2afc': no category folder with ref/, p0/, p1/, judge/ under " + root
                    + (only.isEmpty() ? "" : " among " + only));
        }
        return out;
    }

    /** The triplets of one category, by file name, at most {@code limit} (0: all). */
    static List<Triplet> triplets(NDManager m, Path root, String category, int limit) {
        Path dir = root.resolve(category);
        List<Triplet> out = new ArrayList<>();
        try (Stream<Path> refs = Files.list(dir.resolve("ref"))) {
            for (Path ref : refs.filter(f -> f.toString().endsWith(".png")).sorted().toList()) {
                if (limit > 0 && out.size() >= limit) {
                    break;
                }
                String name = ref.getFileName().toString();
                String stem = name.substring(0, name.length() - 4);
                Path p0 = dir.resolve("p0").resolve(name);
                Path p1 = dir.resolve("p1").resolve(name);
                Path judge = dir.resolve("judge").resolve(stem + ".npy");
                for (Path f : List.of(p0, p1, judge)) {
                    if (!Files.isRegularFile(f)) {
                        throw new PlabException("experiment '2afc': triplet " + category + "/" + stem + " lacks " + f);
                    }
                }
                out.add(new Triplet(ref, p0, p1, readJudge(m, judge)));
            }
        } catch (IOException e) {
            throw new PlabException("cannot list " + dir.resolve("ref") + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static double readJudge(NDManager m, Path file) {
        try (NDManager scope = m.newSubManager()) {
            double[] v = NumpyArrays.readNpy(scope, file).toType(DataType.FLOAT64, false).toDoubleArray();
            if (v.length != 1 || v[0] < 0 || v[0] > 1) {
                throw new PlabException("experiment '2afc': judge file " + file + " must hold one value in [0, 1]");
            }
            return v[0];
        }
    }
}
