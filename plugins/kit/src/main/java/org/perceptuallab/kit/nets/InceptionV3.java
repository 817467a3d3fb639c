package org.perceptuallab.kit.nets;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.tensor.Ops;
import org.perceptuallab.kit.weights.WeightFiles;

/**
 * Inception-v3 as FID uses it (pytorch-fid's network, with the weights of the 2015 TensorFlow graph): torchvision's
 * Inception3 whose Mixed_5b..5d, 6b..6e and 7b average-pool branches leave the padding out of the mean
 * ({@code count_include_pad=False}) and whose Mixed_7c pools its last branch by maximum; batch norm with eps
 * 0.001; images resized to 299 x 299 (bilinear, corners not aligned) and scaled from [0, 1] to [-1, 1]; the
 * 2048 pool3 features after the global average pool. Forward only, float32, in evaluation mode (batch norm with
 * its running statistics, folded into the convolutions once at load).
 */
public final class InceptionV3 implements AutoCloseable {
    /** The published weights' file name. */
    public static final String WEIGHTS_FILE = "pt_inception-2015-12-05-6726825d.pth";
    /** Where the published weights can be downloaded (by the user: nothing is downloaded at run time). */
    public static final String WEIGHTS_URL =
            "https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/" + WEIGHTS_FILE;
    /** The pool3 feature count. */
    public static final int FEATURES = 2048;
    /** The side images are resized to. */
    public static final int SIZE = 299;
    static final double BATCH_NORM_EPS = 1e-3;

    /** One convolution + batch norm + ReLU (torchvision's BasicConv2d), by its state-dict prefix. */
    private record Unit(int in, int out, int kernelRows, int kernelColumns, int stride, int padRows, int padColumns) {
    }

    private static final Map<String, Unit> UNITS = layout();

    private final NDManager manager;
    private final Map<String, NDArray> weights = new LinkedHashMap<>();
    private final Map<String, NDArray> biases = new LinkedHashMap<>();

    private InceptionV3(NDManager manager) {
        this.manager = manager;
    }

    /** The network with the weights of {@code file} (any format {@link WeightFiles} reads), in {@code manager}. */
    public static InceptionV3 load(Path file, NDManager manager) {
        try (NDManager reading = manager.newSubManager()) {
            return of(WeightFiles.readKeys(file, reading, parameterShapes().keySet()), manager);
        } catch (PlabException e) {
            throw new PlabException("Inception-v3 for FID: " + e.getMessage(), e);
        }
    }

    /**
     * The network with the given tensors, by torchvision's names ({@link #parameterShapes}); they are copied,
     * so the caller keeps and closes its own.
     */
    public static InceptionV3 of(Map<String, NDArray> tensors, NDManager manager) {
        InceptionV3 net = new InceptionV3(manager.newSubManager());
        for (Map.Entry<String, Unit> e : UNITS.entrySet()) {
            String name = e.getKey();
            try (NDManager scope = manager.newSubManager()) {
                NDArray w = tensor(tensors, name + ".conv.weight", scope);
                NDArray gamma = tensor(tensors, name + ".bn.weight", scope);
                NDArray beta = tensor(tensors, name + ".bn.bias", scope);
                NDArray mean = tensor(tensors, name + ".bn.running_mean", scope);
                NDArray variance = tensor(tensors, name + ".bn.running_var", scope);
                // evaluation-mode batch norm is per-channel affine: fold it into the convolution, in float64
                NDArray scale = gamma.div(variance.add(BATCH_NORM_EPS).sqrt());
                NDArray folded = w.mul(scale.reshape(-1, 1, 1, 1)).toType(DataType.FLOAT32, false);
                NDArray shift = beta.sub(mean.mul(scale)).toType(DataType.FLOAT32, false);
                folded.attach(net.manager);
                shift.attach(net.manager);
                net.weights.put(name, folded);
                net.biases.put(name, shift);
            }
        }
        return net;
    }

    /** Every tensor the network reads, by torchvision's state-dict name, with its shape. */
    public static Map<String, Shape> parameterShapes() {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        UNITS.forEach((name, u) -> {
            shapes.put(name + ".conv.weight", new Shape(u.out, u.in, u.kernelRows, u.kernelColumns));
            for (String p : List.of("weight", "bias", "running_mean", "running_var")) {
                shapes.put(name + ".bn." + p, new Shape(u.out));
            }
        });
        return Collections.unmodifiableMap(shapes);
    }

    private static NDArray tensor(Map<String, NDArray> tensors, String name, NDManager scope) {
        NDArray t = tensors.get(name);
        Shape expected = parameterShapes().get(name);
        if (t == null || !t.getShape().equals(expected)) {
            throw new PlabException("Inception-v3 for FID: tensor '" + name + "' is "
                    + (t == null ? "missing" : "of shape " + t.getShape()) + ", expected " + expected
                    + "; give the FID Inception weights, " + WEIGHTS_FILE);
        }
        NDArray copy = t.toType(DataType.FLOAT64, true);
        copy.attach(scope);
        return copy;
    }

    /**
     * The pool3 features of a batch of images.
     *
     * @param images (N, 3, H, W) RGB in [0, 1], any size (resized to 299 x 299)
     * @return (N, 2048) float32, in the images' manager
     */
    public NDArray features(NDArray images) {
        Shape s = images.getShape();
        if (s.dimension() != 4 || s.get(1) != 3) {
            throw new PlabException("Inception-v3 for FID takes (N, 3, H, W) RGB images, got shape " + s);
        }
        return Ops.scoped(images, x -> {
            NDArray y = resize(x.toType(DataType.FLOAT32, false)).mul(2).sub(1);
            y = unit("Conv2d_1a_3x3", y);
            y = unit("Conv2d_2a_3x3", y);
            y = unit("Conv2d_2b_3x3", y);
            y = maxPool(y, 2, 0);
            y = unit("Conv2d_3b_1x1", y);
            y = unit("Conv2d_4a_3x3", y);
            y = maxPool(y, 2, 0);
            for (String block : List.of("Mixed_5b", "Mixed_5c", "Mixed_5d")) {
                y = blockA(block, y);
            }
            y = blockB("Mixed_6a", y);
            for (String block : List.of("Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e")) {
                y = blockC(block, y);
            }
            y = blockD("Mixed_7a", y);
            y = blockE("Mixed_7b", y, averagePool(y));
            y = blockE("Mixed_7c", y, maxPool(y, 1, 1));
            return Pool.globalAvgPool2d(y);
        });
    }

    /**
     * Bilinear resize to 299 x 299 with corners not aligned (torch's {@code interpolate}): each output
     * coordinate maps to {@code (o + 0.5) * in / out - 0.5}, clamped at 0, and mixes its two neighbours;
     * written as two interpolation matrices, rows then columns.
     */
    private static NDArray resize(NDArray x) {
        int h = Math.toIntExact(x.getShape().get(2));
        int w = Math.toIntExact(x.getShape().get(3));
        if (h == SIZE && w == SIZE) {
            return x;
        }
        NDManager m = x.getManager();
        NDArray rows = m.create(interpolation(h), new Shape(SIZE, h));
        NDArray columns = m.create(interpolation(w), new Shape(SIZE, w));
        return rows.matMul(x.matMul(columns.transpose()));
    }

    /** The (299, n) matrix of bilinear weights from n samples to 299. */
    static float[] interpolation(int n) {
        float[] weights = new float[SIZE * n];
        double scale = (double) n / SIZE;
        for (int o = 0; o < SIZE; o++) {
            double source = Math.max((o + 0.5) * scale - 0.5, 0);
            int low = Math.min((int) source, n - 1);
            int high = Math.min(low + 1, n - 1);
            double frac = source - low;
            weights[o * n + low] += (float) (1 - frac);
            weights[o * n + high] += (float) frac;
        }
        return weights;
    }

    private NDArray unit(String name, NDArray x) {
        Unit u = UNITS.get(name);
        return Activation.relu(Ops.conv2d(x, weights.get(name), biases.get(name), u.stride,
                new Shape(u.padRows, u.padColumns)));
    }

    private NDArray chain(NDArray x, String block, String... names) {
        NDArray y = x;
        for (String n : names) {
            y = unit(block + "." + n, y);
        }
        return y;
    }

    private static NDArray maxPool(NDArray x, int stride, int padding) {
        return Pool.maxPool2d(x, new Shape(3, 3), new Shape(stride, stride), new Shape(padding, padding), false);
    }

    /**
     * The FID blocks' 3 x 3 mean over the pixels inside the image only. DJL's PyTorch engine ignores
     * {@code countIncludePad=false} (measured: an image of ones pools to 4/9 at its corners), so the mean that
     * counts the padding is divided by the share of each window inside the image, the same pooling of ones.
     */
    private static NDArray averagePool(NDArray x) {
        Shape s = x.getShape();
        NDArray inside = x.getManager().ones(new Shape(1, 1, s.get(2), s.get(3)), x.getDataType());
        return meanCountingPadding(x).div(meanCountingPadding(inside));
    }

    private static NDArray meanCountingPadding(NDArray x) {
        return Pool.avgPool2d(x, new Shape(3, 3), new Shape(1, 1), new Shape(1, 1), false, true);
    }

    private static NDArray concat(NDArray... parts) {
        return NDArrays.concat(new NDList(parts), 1);
    }

    private NDArray blockA(String b, NDArray x) {
        return concat(unit(b + ".branch1x1", x),
                chain(x, b, "branch5x5_1", "branch5x5_2"),
                chain(x, b, "branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3"),
                unit(b + ".branch_pool", averagePool(x)));
    }

    private NDArray blockB(String b, NDArray x) {
        return concat(unit(b + ".branch3x3", x),
                chain(x, b, "branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3"),
                maxPool(x, 2, 0));
    }

    private NDArray blockC(String b, NDArray x) {
        return concat(unit(b + ".branch1x1", x),
                chain(x, b, "branch7x7_1", "branch7x7_2", "branch7x7_3"),
                chain(x, b, "branch7x7dbl_1", "branch7x7dbl_2", "branch7x7dbl_3", "branch7x7dbl_4", "branch7x7dbl_5"),
                unit(b + ".branch_pool", averagePool(x)));
    }

    private NDArray blockD(String b, NDArray x) {
        return concat(chain(x, b, "branch3x3_1", "branch3x3_2"),
                chain(x, b, "branch7x7x3_1", "branch7x7x3_2", "branch7x7x3_3", "branch7x7x3_4"),
                maxPool(x, 2, 0));
    }

    /** Mixed_7b and 7c differ only in how their last branch pools ({@code pooled}). */
    private NDArray blockE(String b, NDArray x, NDArray pooled) {
        NDArray narrow = unit(b + ".branch3x3_1", x);
        NDArray deep = chain(x, b, "branch3x3dbl_1", "branch3x3dbl_2");
        return concat(unit(b + ".branch1x1", x),
                unit(b + ".branch3x3_2a", narrow), unit(b + ".branch3x3_2b", narrow),
                unit(b + ".branch3x3dbl_3a", deep), unit(b + ".branch3x3dbl_3b", deep),
                unit(b + ".branch_pool", pooled));
    }

    @Override
    public void close() {
        manager.close();
    }

    /** torchvision's Inception3 convolutions up to Mixed_7c, in its state-dict order. */
    private static Map<String, Unit> layout() {
        Map<String, Unit> u = new LinkedHashMap<>();
        square(u, "Conv2d_1a_3x3", 3, 32, 3, 2, 0);
        square(u, "Conv2d_2a_3x3", 32, 32, 3, 1, 0);
        square(u, "Conv2d_2b_3x3", 32, 64, 3, 1, 1);
        square(u, "Conv2d_3b_1x1", 64, 80, 1, 1, 0);
        square(u, "Conv2d_4a_3x3", 80, 192, 3, 1, 0);
        layoutA(u, "Mixed_5b", 192, 32);
        layoutA(u, "Mixed_5c", 256, 64);
        layoutA(u, "Mixed_5d", 288, 64);
        square(u, "Mixed_6a.branch3x3", 288, 384, 3, 2, 0);
        square(u, "Mixed_6a.branch3x3dbl_1", 288, 64, 1, 1, 0);
        square(u, "Mixed_6a.branch3x3dbl_2", 64, 96, 3, 1, 1);
        square(u, "Mixed_6a.branch3x3dbl_3", 96, 96, 3, 2, 0);
        layoutC(u, "Mixed_6b", 128);
        layoutC(u, "Mixed_6c", 160);
        layoutC(u, "Mixed_6d", 160);
        layoutC(u, "Mixed_6e", 192);
        square(u, "Mixed_7a.branch3x3_1", 768, 192, 1, 1, 0);
        square(u, "Mixed_7a.branch3x3_2", 192, 320, 3, 2, 0);
        square(u, "Mixed_7a.branch7x7x3_1", 768, 192, 1, 1, 0);
        row(u, "Mixed_7a.branch7x7x3_2", 192, 192, 7);
        column(u, "Mixed_7a.branch7x7x3_3", 192, 192, 7);
        square(u, "Mixed_7a.branch7x7x3_4", 192, 192, 3, 2, 0);
        layoutE(u, "Mixed_7b", 1280);
        layoutE(u, "Mixed_7c", 2048);
        return Collections.unmodifiableMap(u);
    }

    private static void layoutA(Map<String, Unit> u, String b, int in, int poolFeatures) {
        square(u, b + ".branch1x1", in, 64, 1, 1, 0);
        square(u, b + ".branch5x5_1", in, 48, 1, 1, 0);
        square(u, b + ".branch5x5_2", 48, 64, 5, 1, 2);
        square(u, b + ".branch3x3dbl_1", in, 64, 1, 1, 0);
        square(u, b + ".branch3x3dbl_2", 64, 96, 3, 1, 1);
        square(u, b + ".branch3x3dbl_3", 96, 96, 3, 1, 1);
        square(u, b + ".branch_pool", in, poolFeatures, 1, 1, 0);
    }

    private static void layoutC(Map<String, Unit> u, String b, int c7) {
        square(u, b + ".branch1x1", 768, 192, 1, 1, 0);
        square(u, b + ".branch7x7_1", 768, c7, 1, 1, 0);
        row(u, b + ".branch7x7_2", c7, c7, 7);
        column(u, b + ".branch7x7_3", c7, 192, 7);
        square(u, b + ".branch7x7dbl_1", 768, c7, 1, 1, 0);
        column(u, b + ".branch7x7dbl_2", c7, c7, 7);
        row(u, b + ".branch7x7dbl_3", c7, c7, 7);
        column(u, b + ".branch7x7dbl_4", c7, c7, 7);
        row(u, b + ".branch7x7dbl_5", c7, 192, 7);
        square(u, b + ".branch_pool", 768, 192, 1, 1, 0);
    }

    private static void layoutE(Map<String, Unit> u, String b, int in) {
        square(u, b + ".branch1x1", in, 320, 1, 1, 0);
        square(u, b + ".branch3x3_1", in, 384, 1, 1, 0);
        row(u, b + ".branch3x3_2a", 384, 384, 3);
        column(u, b + ".branch3x3_2b", 384, 384, 3);
        square(u, b + ".branch3x3dbl_1", in, 448, 1, 1, 0);
        square(u, b + ".branch3x3dbl_2", 448, 384, 3, 1, 1);
        row(u, b + ".branch3x3dbl_3a", 384, 384, 3);
        column(u, b + ".branch3x3dbl_3b", 384, 384, 3);
        square(u, b + ".branch_pool", in, 192, 1, 1, 0);
    }

    private static void square(Map<String, Unit> u, String name, int in, int out, int k, int stride, int pad) {
        u.put(name, new Unit(in, out, k, k, stride, pad, pad));
    }

    /** A 1 x k kernel along the row, padded to keep the width. */
    private static void row(Map<String, Unit> u, String name, int in, int out, int k) {
        u.put(name, new Unit(in, out, 1, k, 1, 0, k / 2));
    }

    /** A k x 1 kernel along the column, padded to keep the height. */
    private static void column(Map<String, Unit> u, String name, int in, int out, int k) {
        u.put(name, new Unit(in, out, k, 1, 1, k / 2, 0));
    }
}
