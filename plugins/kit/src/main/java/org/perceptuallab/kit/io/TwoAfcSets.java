package org.perceptuallab.kit.io;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.perceptuallab.api.PlabException;

/**
 * A 2AFC set in the BAPPS layout: {@code <root>/<category>/{ref,p0,p1}/NAME.png} and
 * {@code judge/NAME.npy} (the fraction of people who judged p1 closer to ref): what the 2AFC experiment scores a
 * loss on and what LPIPS calibration learns from. {@code owner} in the messages names the reader's user, e.g.
 * "experiment '2afc'".
 */
public final class TwoAfcSets {
    /** The marker file {@code plab make-2afc} writes at the root of a generated set. */
    public static final String SYNTHETIC_MARKER = "SYNTHETIC.json";
    /** The summary plab serve's export writes beside the triplets (people's judgements, the human ceiling). */
    public static final String JUDGING_SUMMARY = "judging-summary.json";

    /** One triplet and its judgement. */
    public record Triplet(Path ref, Path p0, Path p1, double judge) {
    }

    private TwoAfcSets() {
    }

    /** The categories under {@code root} (folders with a ref folder), sorted, filtered by {@code only}. */
    public static List<String> categories(String owner, Path root, List<String> only) {
        return categories(owner, root, only, "ref", "<root>/<category>/{ref,p0,p1,judge}) or generate one with"
                + " 'plab make-2afc'");
    }

    /**
     * The categories of a BAPPS-layout split under {@code root}: its folders holding a {@code marker} folder,
     * sorted, filtered by {@code only}; {@code layout} ends the message where there is none.
     */
    public static List<String> categories(String owner, Path root, List<String> only, String marker, String layout) {
        if (!Files.isDirectory(root)) {
            throw new PlabException(owner + ": data folder " + root + " not found; give a BAPPS-layout root ("
                    + layout);
        }
        List<String> out;
        try (Stream<Path> dirs = Files.list(root)) {
            out = dirs.filter(d -> Files.isDirectory(d.resolve(marker))).map(d -> d.getFileName().toString())
                    .filter(name -> only.isEmpty() || only.contains(name)).sorted().toList();
        } catch (IOException e) {
            throw new PlabException("cannot list " + root + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new PlabException(owner + ": no category folder with " + marker + "/ under " + root
                    + (only.isEmpty() ? "" : " among " + only) + "; give a BAPPS-layout root (" + layout);
        }
        return out;
    }

    /** The triplets of one category, by file name, at most {@code limit} (0: all). */
    public static List<Triplet> triplets(String owner, NDManager m, Path root, String category, int limit) {
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
                        throw new PlabException(owner + ": triplet " + category + "/" + stem + " lacks " + f);
                    }
                }
                out.add(new Triplet(ref, p0, p1, readJudge(owner, m, judge)));
            }
        } catch (IOException e) {
            throw new PlabException("cannot list " + dir.resolve("ref") + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static double readJudge(String owner, NDManager m, Path file) {
        return readFraction(m, file, owner + ": judge file");
    }

    /** The one value in [0, 1] of a BAPPS .npy file (a judge, a "same" fraction); {@code what} names it. */
    public static double readFraction(NDManager m, Path file, String what) {
        try (NDManager scope = m.newSubManager()) {
            double[] v = NumpyArrays.readNpy(scope, file).toType(DataType.FLOAT64, false).toDoubleArray();
            if (v.length != 1 || v[0] < 0 || v[0] > 1) {
                throw new PlabException(what + " " + file + " must hold one value in [0, 1]");
            }
            return v[0];
        }
    }

    /**
     * The agreement of one loss choice with people: (d0 &lt; d1)(1 - h) + (d1 &lt; d0) h + 0.5 (d0 = d1), h the
     * fraction judging p1 closer (the BAPPS 2AFC score).
     */
    public static double score(double d0, double d1, double h) {
        return d0 < d1 ? 1 - h : d1 < d0 ? h : 0.5;
    }
}
