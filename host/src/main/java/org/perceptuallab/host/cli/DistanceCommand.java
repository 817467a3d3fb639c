package org.perceptuallab.host.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.Progress;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.io.JsonFiles;
import org.perceptuallab.host.matrix.ConsoleProgress;
import org.perceptuallab.host.report.Csv;
import org.perceptuallab.kit.DistanceMatrix;
import org.perceptuallab.kit.OneDraw;
import org.perceptuallab.kit.io.Images;
import org.perceptuallab.kit.io.NumpyArrays;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code plab distance}: per-pair distances between two images or two tensors; with {@code --matrix}, the
 * N x M distances between the images of one folder (or two), as CSV and .npy.
 */
@Command(name = "distance", mixinStandardHelpOptions = true,
        description = {"Print per-pair distances between two images (PNG/JPEG) or two tensors (.npy, .npz[:KEY]).",
                "With --matrix: the N x M distances between the images of folder A and of folder B (or of A with"
                        + " itself), in batches, from the loss's exact feature map where it has one; written as"
                        + " PREFIX.csv (rows A, columns B, headed by file names) and PREFIX.npy (float64)."})
public final class DistanceCommand extends LabCommand {
    @Option(names = "--loss", required = true, paramLabel = "ID", description = "Loss id (see 'plab losses').")
    String lossId;

    @Option(names = {"-p", "--param"}, paramLabel = "KEY=VALUE",
            description = "Loss parameter; VALUE is JSON where it parses (3, true, [1,2], {\"loss\":\"l2\"}), else text.")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--resize", paramLabel = "WxH|S",
            description = "Resize both images to W x H (or S x S) before comparing.")
    String resize;

    @Option(names = "--gray", description = "Read images as one grey channel instead of RGB.")
    boolean gray;

    @Option(names = "--matrix", description = "A and B are folders of images (or (N, C, H, W) tensors): write their"
            + " distance matrix; B may be left out for A against itself.")
    boolean matrix;

    @Option(names = "--out", paramLabel = "PREFIX", description = "With --matrix: where to write PREFIX.csv and"
            + " PREFIX.npy (default: distances).")
    Path outPrefix = Path.of("distances");

    @Option(names = "--batch", paramLabel = "N", description = "With --matrix: images or pairs per loss call"
            + " (default: ${DEFAULT-VALUE}).")
    int batch = DistanceMatrix.DEFAULT_BATCH;

    @Option(names = "--redraw-per-call", description = "A loss that redraws its random constants at every call"
            + " (mmd-approx, vgg with reinit) takes a new draw per loss call (with --matrix, per batch); by default"
            + " it compares under its one draw, the same for every run of one seed, so a matrix's entries equal the"
            + " paired distances of the same images.")
    boolean redrawPerCall;

    @Parameters(index = "0", paramLabel = "A", description = "First image or tensor (x); with --matrix a folder.")
    Path a;

    @Parameters(index = "1", paramLabel = "B", arity = "0..1",
            description = "Second image or tensor (y); with --matrix a folder, or none for A against itself.")
    Path b;

    @Override
    protected int run(Lab lab) throws IOException {
        int[] size = parseSize(resize);
        if (matrix) {
            return writeMatrix(lab, size);
        }
        if (b == null) {
            throw new PlabException("plab distance needs two inputs A and B (or --matrix A [B] for the distances"
                    + " between the images of folders)");
        }
        try (NDManager scope = lab.manager().newSubManager();
             Loss created = lab.createLoss(new LossSpec(lossId, ParamValues.toJson(params)), scope);
             OneDraw draw = OneDraw.of(created, redrawPerCall)) {
            Loss loss = draw.loss();
            NDArray x = load(scope, a, size);
            NDArray y = load(scope, b, size);
            if (!x.getShape().equals(y.getShape())) {
                String fix = isTensor(a) || isTensor(b) ? "; give tensors of one shape (N, C, H, W)"
                        : size == null ? "; pass --resize WxH to compare images of different sizes" : "";
                throw new PlabException("A " + a + " has shape " + x.getShape() + " but B " + b + " has shape "
                        + y.getShape() + fix);
            }
            double[] d = loss.distance(x, y).toType(DataType.FLOAT64, false).toDoubleArray();
            out().println("# " + loss.spec().json());
            for (int i = 0; i < d.length; i++) {
                out().printf("%d\t%.9g%n", i, d[i]);
            }
        }
        return 0;
    }

    /** The matrix of A against B (or A), written as CSV and .npy; prints its route, size and time. */
    private int writeMatrix(Lab lab, int[] size) throws IOException {
        if (batch < 1) {
            throw new PlabException("--batch must be at least 1, got " + batch);
        }
        try (NDManager scope = lab.manager().newSubManager();
             Loss created = lab.createLoss(new LossSpec(lossId, ParamValues.toJson(params)), scope);
             OneDraw draw = OneDraw.of(created, redrawPerCall)) {
            Loss loss = draw.loss();
            ImageSet first = ImageSet.read(scope, a, size, this::load);
            ImageSet second = b == null ? null : ImageSet.read(scope, b, size, this::load);
            long start = System.nanoTime();
            DistanceMatrix result;
            try (Progress bar = ConsoleProgress.open("distances " + loss.spec().id(), DistanceMatrix.work(loss,
                    first.names().size(), second == null ? null : (long) second.names().size()))) {
                result = DistanceMatrix.of(loss, first.images(), second == null ? null : second.images(), batch, bar);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            List<String> columns = second == null ? first.names() : second.names();
            Path csv = sibling(outPrefix, ".csv");
            Path npy = sibling(outPrefix, ".npy");
            JsonFiles.writeAtomically(csv, csv(first.names(), columns, result.values()));
            writeNpy(scope, result.values(), npy);
            out().println("# " + loss.spec().json());
            out().printf(Locale.ROOT, "%d x %d distances by %s (%d %s) in %.2f s%n", result.values().length,
                    columns.size(), result.route().name().toLowerCase(Locale.ROOT).replace('_', ' '),
                    result.evaluations(), result.route() == DistanceMatrix.Route.FEATURES ? "images through the"
                            + " feature map" : "pair evaluations", seconds);
            out().println(csv.toAbsolutePath().normalize());
            out().println(npy.toAbsolutePath().normalize());
        }
        return 0;
    }

    private static Path sibling(Path prefix, String suffix) {
        return prefix.resolveSibling(prefix.getFileName() + suffix);
    }

    /** Rows A, columns B, each headed by its file name (quoted by the CSV library: names may hold anything). */
    static String csv(List<String> rows, List<String> columns, double[][] d) {
        List<String> header = new ArrayList<>(List.of("image"));
        header.addAll(columns);
        List<List<String>> lines = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            List<String> line = new ArrayList<>(List.of(rows.get(i)));
            for (double v : d[i]) {
                line.add(Double.toString(v));
            }
            lines.add(line);
        }
        return Csv.write(header, lines);
    }

    private static void writeNpy(NDManager scope, double[][] d, Path file) throws IOException {
        int n = d.length;
        int m = n == 0 ? 0 : d[0].length;
        double[] flat = new double[n * m];
        for (int i = 0; i < n; i++) {
            System.arraycopy(d[i], 0, flat, i * m, m);
        }
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            NumpyArrays.writeNpy(scope.create(flat, new Shape(n, m)), out);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A .npy, .npz or .npz:KEY argument (anything else is read as an image). */
    private static boolean isTensor(Path file) {
        String name = file.toString();
        return name.contains(".npz:") || name.endsWith(".npy") || name.endsWith(".npz");
    }

    NDArray load(NDManager m, Path file, int[] size) {
        String name = file.toString();
        int colon = name.lastIndexOf(".npz:");
        if (isTensor(file)) {
            Path p = colon >= 0 ? Path.of(name.substring(0, colon + 4)) : file;
            NDArray t = NumpyArrays.read(m, p, colon >= 0 ? name.substring(colon + 5) : null)
                    .toType(DataType.FLOAT32, false);
            return t.getShape().dimension() == 3 ? t.expandDims(0) : t;
        }
        return Images.load(m, file, gray ? 1 : 3, size == null ? 0 : size[0], size == null ? 0 : size[1]);
    }

    static int[] parseSize(String text) {
        if (text == null) {
            return null;
        }
        String[] parts = text.toLowerCase().split("x");
        try {
            int w = Integer.parseInt(parts[0]);
            int h = parts.length > 1 ? Integer.parseInt(parts[1]) : w;
            if (w < 1 || h < 1 || parts.length > 2) {
                throw new NumberFormatException();
            }
            return new int[] {w, h};
        } catch (NumberFormatException e) {
            throw new PlabException("--resize expects WxH or S with positive integers, got '" + text + "'");
        }
    }
}
