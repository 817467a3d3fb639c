package org.example.retrieval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.ExperimentContext;
import org.perceptuallab.api.ExperimentResult;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.Metric;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.Progress;
import org.perceptuallab.kit.DistanceMatrix;
import org.pf4j.Extension;

/**
 * Nearest-neighbour retrieval: each image of a folder is a query, and a distorted copy of every image (shifted
 * by a few pixels, plus Gaussian noise) is in the gallery. A loss that sees through the distortion ranks each
 * query's own copy first. An example of an experiment plugin written against the api and the kit alone.
 */
@Extension
public final class NearestNeighbourRetrieval implements Experiment {
    private static final String ID = "nn-retrieval";
    private static final Param<String> DATA = Param.string("data", null,
            "folder of images (PNG, JPEG); each is a query")
            .required();
    private static final Param<Integer> SIZE = Param.integer("size", 32, 8, 1024, "images are resized to size x size");
    private static final Param<Integer> MAX_IMAGES = Param.integer("maxImages", 50, 2, 10_000,
            "most images read from the folder (by name)");
    private static final Param<Integer> SHIFT = Param.integer("shift", 1, 0, 64,
            "the distorted copy is shifted by this many pixels right and down");
    private static final Param<Double> NOISE = Param.real("noise", 0.1, 0, 2,
            "standard deviation of the copy's Gaussian noise, in [-1, 1] units");
    private static final Param<Integer> BATCH = Param.integer("batch", DistanceMatrix.DEFAULT_BATCH, 1, 4096,
            "images or pairs per loss call");
    private static final ParamSpec PARAMS = ParamSpec.of(DATA, SIZE, MAX_IMAGES, SHIFT, NOISE, BATCH);

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String summary() {
        return "is each image's distorted copy its nearest neighbour under the loss?";
    }

    @Override
    public ParamSpec params() {
        return PARAMS;
    }

    @Override
    public ExperimentResult run(Params params, Loss loss, ExperimentContext context) throws IOException {
        int size = params.get(SIZE);
        List<Path> files = images(context.resolve(params.get(DATA)), params.get(MAX_IMAGES));
        int n = files.size();
        int plane = size * size;
        float[] queries = new float[n * 3 * plane];
        for (int i = 0; i < n; i++) {
            pixels(resized(read(files.get(i)), size), queries, i * 3 * plane);
        }
        float[] copies = distorted(queries, n, size, params.get(SHIFT), params.get(NOISE), context.seed());
        // Arrays made from Java data; no gradient flows through this experiment, so the DJL Java-buffer
        // pitfall (docs/PLUGINS.md) does not apply. The cell's manager releases them when the cell ends.
        Shape shape = new Shape(n, 3, size, size);
        NDArray a = context.manager().create(queries, shape);
        NDArray b = context.manager().create(copies, shape);
        DistanceMatrix matrix;
        try (Progress progress = context.progress("retrieval", DistanceMatrix.work(loss, n, (long) n))) {
            matrix = DistanceMatrix.of(loss, a, b, params.get(BATCH), progress);
        }
        int[] ranks = new int[n];
        int top1 = 0;
        double rankSum = 0;
        for (int i = 0; i < n; i++) {
            double own = matrix.values()[i][i];
            int closer = 0;
            for (int j = 0; j < n; j++) {
                closer += j != i && matrix.values()[i][j] <= own ? 1 : 0;
            }
            ranks[i] = closer + 1;
            top1 += ranks[i] == 1 ? 1 : 0;
            rankSum += ranks[i];
        }
        ObjectNode details = JsonNodeFactory.instance.objectNode().put("route", matrix.route().toString());
        ObjectNode byImage = details.putObject("rankOfOwnCopy");
        for (int i = 0; i < n; i++) {
            byImage.put(files.get(i).getFileName().toString(), ranks[i]);
        }
        return ExperimentResult.builder()
                .headline("top1", Metric.fraction((double) top1 / n, Metric.Better.HIGHER))
                .metric("meanRank", Metric.value(rankSum / n, Metric.Better.LOWER))
                .metric("images", Metric.count(n))
                .details(details)
                .build();
    }

    /** Four generated 16-pixel images, so that {@code plab check} can run this experiment. */
    @Override
    public Optional<ObjectNode> tinyRun(Path folder) throws IOException {
        Path images = Files.createDirectories(folder.resolve("images"));
        Random random = new Random(0);
        for (int i = 0; i < 4; i++) {
            BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 16; y++) {
                for (int x = 0; x < 16; x++) {
                    img.setRGB(x, y, random.nextInt(1 << 24));
                }
            }
            ImageIO.write(img, "png", images.resolve("image-" + i + ".png").toFile());
        }
        return Optional.of(JsonNodeFactory.instance.objectNode().put("data", "images").put("size", 16));
    }

    /** The first {@code max} image files of the folder, by name; at least two. */
    private static List<Path> images(Path folder, int max) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new PlabException("experiment '" + ID + "': data " + folder + " is not a folder of images");
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(folder)) {
            files = list.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g)"))
                    .sorted().limit(max).toList();
        }
        if (files.size() < 2) {
            throw new PlabException("experiment '" + ID + "': data " + folder + " holds " + files.size()
                    + " PNG or JPEG image(s); retrieval needs at least two");
        }
        return files;
    }

    private static BufferedImage read(Path file) throws IOException {
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) {
            throw new PlabException("experiment '" + ID + "': cannot read " + file + " as an image");
        }
        return img;
    }

    private static BufferedImage resized(BufferedImage img, int size) {
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(img, 0, 0, size, size, null);
        g.dispose();
        return out;
    }

    /** Writes the image's RGB planes, mapped to [-1, 1], into {@code out} from {@code offset}. */
    private static void pixels(BufferedImage img, float[] out, int offset) {
        int size = img.getWidth();
        int plane = size * size;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = img.getRGB(x, y);
                for (int c = 0; c < 3; c++) {
                    out[offset + c * plane + y * size + x] = ((rgb >> (16 - 8 * c)) & 0xff) / 127.5f - 1f;
                }
            }
        }
    }

    /** Each image shifted right and down by {@code shift} (edge pixels repeated), plus seeded noise, clipped. */
    private static float[] distorted(float[] images, int n, int size, int shift, double noise, long seed) {
        Random random = new Random(seed);
        float[] out = new float[images.length];
        for (int i = 0; i < n * 3; i++) {
            int base = i * size * size;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    float v = images[base + Math.max(0, y - shift) * size + Math.max(0, x - shift)];
                    v += (float) (noise * random.nextGaussian());
                    out[base + y * size + x] = Math.max(-1f, Math.min(1f, v));
                }
            }
        }
        return out;
    }
}
