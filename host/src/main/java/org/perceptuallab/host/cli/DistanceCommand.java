package org.perceptuallab.host.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.Lab;
import org.perceptuallab.kit.io.Images;
import org.perceptuallab.kit.io.NumpyArrays;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code plab distance}: per-pair distances between two images or two tensors. */
@Command(name = "distance", mixinStandardHelpOptions = true,
        description = "Print per-pair distances between two images (PNG/JPEG) or two tensors (.npy, .npz[:KEY]).")
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

    @Parameters(index = "0", paramLabel = "A", description = "First image or tensor (x).")
    Path a;

    @Parameters(index = "1", paramLabel = "B", description = "Second image or tensor (y).")
    Path b;

    @Override
    protected int run(Lab lab) {
        int[] size = parseSize(resize);
        try (NDManager scope = lab.manager().newSubManager();
             Loss loss = lab.createLoss(new LossSpec(lossId, ParamValues.toJson(params)), scope)) {
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

    /** A .npy, .npz or .npz:KEY argument (anything else is read as an image). */
    private static boolean isTensor(Path file) {
        String name = file.toString();
        return name.contains(".npz:") || name.endsWith(".npy") || name.endsWith(".npz");
    }

    private NDArray load(NDManager m, Path file, int[] size) {
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
