package org.perceptuallab.kit.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;

/**
 * Image-tensor operations shared by every loss plugin, on (N, C, H, W) arrays. Written with ops that
 * have gradients in the engine; where the engine lacks an op (reflect pad, unfold) it is composed from
 * slices, flips and convolutions (TECH-NOTES section 2).
 */
public final class Ops {
    private Ops() {
    }

    /**
     * {@code c} as a 0-dim array of x's type whose memory the engine owns. DJL's {@code mul(Number)},
     * {@code div(Number)} and {@code pow(Number)} wrap the number in a Java buffer and release it at
     * once, but autograd keeps that scalar for the backward pass: a garbage collection in between hands
     * the buffer to other data and corrupts the gradient (measured: every gradient wrong when a
     * collection ran between forward and backward). Every path that gradients flow through uses
     * {@link #times} and {@link #pow} instead.
     */
    public static NDArray scalar(NDArray like, double c) {
        try (NDArray zero = like.getManager().zeros(new Shape(), DataType.FLOAT64); NDArray value = zero.add(c)) {
            return value.toType(like.getDataType(), true);
        }
    }

    /** x * c, safe for autograd (see {@link #scalar}). */
    public static NDArray times(NDArray x, double c) {
        return x.mul(scalar(x, c));
    }

    /**
     * max(x, 0), for a quantity that is non-negative in real numbers but may round below zero (a squared
     * distance from |a|^2 + |b|^2 - 2 a.b, a variance from E[x^2] - E[x]^2): clamp it before a square
     * root, a logarithm or a division, and before it is reported as a distance. Zero gradient where clamped.
     */
    public static NDArray nonNegative(NDArray x) {
        return Activation.relu(x);
    }

    /** x ^ p, safe for autograd (see {@link #scalar}). */
    public static NDArray pow(NDArray x, double p) {
        return x.pow(scalar(x, p));
    }

    /**
     * An engine-owned copy of an array made from Java data, which is then closed. Arrays created from
     * Java data borrow the Java buffer; views of them, or autograd, would read freed memory once the
     * array is closed and the buffer collected.
     */
    public static NDArray owned(NDArray fromJava) {
        try (fromJava) {
            return fromJava.duplicate();
        }
    }

    /** Mean over every axis but the first: (N, ...) to (N). */
    public static NDArray meanPerSample(NDArray a) {
        return a.reshape(a.getShape().get(0), -1).mean(new int[] {1});
    }

    /** Reflect padding (numpy 'reflect', torch 'reflect') of the two spatial axes by {@code pad}. */
    public static NDArray reflectPad(NDArray x, int pad) {
        if (pad == 0) {
            return x;
        }
        return reflectAxis(reflectAxis(x, 3, pad), 2, pad);
    }

    private static NDArray reflectAxis(NDArray x, int axis, int pad) {
        long size = x.getShape().get(axis);
        if (pad >= size) {
            throw new IllegalArgumentException("reflect padding of " + pad + " needs a side longer than "
                    + pad + ", got " + size);
        }
        NDArray before = slice(x, axis, 1, pad + 1).flip(axis);
        NDArray after = slice(x, axis, size - 1 - pad, size - 1).flip(axis);
        return NDArrays.concat(new NDList(before, x, after), axis);
    }

    /** Replicate (edge) padding of the two spatial axes by {@code pad}. */
    public static NDArray replicatePad(NDArray x, int pad) {
        if (pad == 0) {
            return x;
        }
        return replicateAxis(replicateAxis(x, 3, pad), 2, pad);
    }

    private static NDArray replicateAxis(NDArray x, int axis, int pad) {
        long size = x.getShape().get(axis);
        NDArray before = slice(x, axis, 0, 1).repeat(axis, pad);
        NDArray after = slice(x, axis, size - 1, size).repeat(axis, pad);
        return NDArrays.concat(new NDList(before, x, after), axis);
    }

    /** {@code x[..., from:to, ...]} along a spatial axis (2 or 3). */
    public static NDArray slice(NDArray x, int axis, long from, long to) {
        return axis == 2 ? x.get(":, :, " + from + ":" + to + ", :") : x.get(":, :, :, " + from + ":" + to);
    }

    /**
     * Output channels below which a float32 convolution on the CPU is computed tap by tap. On a virtualised
     * AMD Zen 5 (AVX-512) the engine's oneDNN kernels compute the gradient with respect to the input
     * wrongly, often from uninitialised memory, for ungrouped convolutions with few output channels (1 to 8
     * outputs from 1 to 64 inputs, batch 3: relative errors 0.1 to 1, and NaN), under its AVX2 and AVX-512
     * kernels alike (its SSE4.1 kernels are right). 16 and more outputs, and grouped convolutions with one
     * input channel per group (depthwise filters, {@link #patches}), were right in every case measured.
     */
    static final int FEW_OUTPUT_CHANNELS = 16;

    /**
     * The 2-D convolution (cross-correlation) of x (N, C, H, W) with weight (O, C / groups, kH, kW), an
     * optional bias (O), square stride and zero padding: every convolution of the plugins' own code goes
     * through here. An ungrouped float32 convolution on the CPU with fewer than {@link #FEW_OUTPUT_CHANNELS}
     * outputs is computed as a sum over the kernel's taps of a strided slice of x times that tap's (O, C)
     * weights: plain slicing and matrix products, whose gradients are right on every machine, at a cost
     * that is small for so few outputs.
     */
    public static NDArray conv2d(NDArray x, NDArray weight, NDArray bias, int stride, int padding, int groups) {
        if (groups == 1 && engineKernelUnreliable(x, weight.getShape().get(0))) {
            return convolveByTaps(x, weight, bias, stride, padding);
        }
        return convolve(x, weight, bias, stride, padding, groups);
    }

    /**
     * {@link #conv2d} of an ungrouped convolution with its own zero padding of rows and of columns,
     * {@code padding} = (rows, columns): the padding that keeps the size under a 1 x 7 or 7 x 1 kernel, say.
     */
    public static NDArray conv2d(NDArray x, NDArray weight, NDArray bias, int stride, Shape padding) {
        int padRows = Math.toIntExact(padding.get(0));
        int padColumns = Math.toIntExact(padding.get(1));
        if (padRows == padColumns) {
            return conv2d(x, weight, bias, stride, padRows, 1);
        }
        if (engineKernelUnreliable(x, weight.getShape().get(0))) {
            NDArray padded = x.pad(new Shape(padColumns, padColumns, padRows, padRows), 0);
            return convolveByTaps(padded, weight, bias, stride, 0);
        }
        return Conv2d.conv2d(x, weight, bias, new Shape(stride, stride), padding, new Shape(1, 1), 1)
                .singletonOrThrow();
    }

    /**
     * Whether the engine's kernel for an ungrouped float32 CPU convolution of x with {@code channels} output
     * channels, or for a transposed one with {@code channels} input channels (oneDNN computes those with the
     * same backward kernel), may be wrong on some CPUs ({@link #FEW_OUTPUT_CHANNELS}).
     */
    public static boolean engineKernelUnreliable(NDArray x, long channels) {
        return channels < FEW_OUTPUT_CHANNELS && x.getDataType() == DataType.FLOAT32 && !x.getDevice().isGpu();
    }

    /**
     * The transposed convolution of x (N, Cin, H, W) with weight (Cin, Cout, k, k), no bias, as torch's
     * {@code conv_transpose2d}: zeros inserted between x's pixels, padded by k - 1 - padding, then
     * {@link #conv2d} with the kernel flipped and its channel axes swapped (TECH-NOTES 2). Exact on every
     * machine; for the layers the engine's own transposed convolution may get wrong.
     */
    public static NDArray convTranspose2d(NDArray x, NDArray weight, int stride, int padding) {
        long k = weight.getShape().get(2);
        int border = (int) (k - 1 - padding);
        if (border < 0) {
            throw new IllegalArgumentException("padding " + padding + " exceeds kernel size " + k + " - 1");
        }
        NDArray spread = insertZeros(insertZeros(x, 3, stride), 2, stride);
        NDArray padded = border == 0 ? spread : spread.pad(new Shape(border, border, border, border), 0);
        NDArray flipped = weight.flip(2, 3);
        flipped.attach(x.getManager()); // per-call arrays stay out of the weight's (long-lived) manager
        return conv2d(padded, flipped.transpose(1, 0, 2, 3), null, 1, 0, 1);
    }

    /** {@code stride - 1} zeros after every element but the last along a spatial axis (2 or 3). */
    private static NDArray insertZeros(NDArray x, int axis, int stride) {
        if (stride == 1) {
            return x;
        }
        Shape s = x.getShape();
        NDArray after = x.expandDims(axis + 1);
        NDArray zeros = x.getManager().zeros(after.getShape(), x.getDataType());
        NDList parts = new NDList(after);
        for (int i = 1; i < stride; i++) {
            parts.add(zeros);
        }
        long[] spread = s.getShape().clone();
        spread[axis] = s.get(axis) * stride;
        NDArray interleaved = NDArrays.concat(parts, axis + 1).reshape(new Shape(spread));
        return slice(interleaved, axis, 0, (s.get(axis) - 1) * stride + 1);
    }

    /** The ungrouped convolution as a sum over taps (i, j) of w[:, :, i, j] times x's strided slice at (i, j). */
    static NDArray convolveByTaps(NDArray x, NDArray weight, NDArray bias, int stride, int padding) {
        Shape xs = x.getShape();
        Shape ws = weight.getShape();
        long outH = (xs.get(2) + 2L * padding - ws.get(2)) / stride + 1;
        long outW = (xs.get(3) + 2L * padding - ws.get(3)) / stride + 1;
        NDArray padded = padding == 0 ? x : x.pad(new Shape(padding, padding, padding, padding), 0);
        NDArray sum = null;
        for (long i = 0; i < ws.get(2); i++) {
            for (long j = 0; j < ws.get(3); j++) {
                NDArray tap = padded.get(":, :, " + i + ":" + (i + stride * (outH - 1) + 1) + ":" + stride + ", "
                        + j + ":" + (j + stride * (outW - 1) + 1) + ":" + stride).reshape(xs.get(0), xs.get(1), -1);
                NDArray tapWeight = weight.get(":, :, " + i + ", " + j);
                tapWeight.attach(x.getManager()); // a per-call view: not into the weight's (long-lived) manager
                NDArray term = tapWeight.matMul(tap);
                sum = sum == null ? term : sum.add(term);
            }
        }
        NDArray out = sum.reshape(xs.get(0), ws.get(0), outH, outW);
        if (bias == null) {
            return out;
        }
        NDArray column = bias.reshape(1, -1, 1, 1);
        column.attach(x.getManager());
        return out.add(column);
    }

    private static NDArray convolve(NDArray x, NDArray weight, NDArray bias, int stride, int padding, int groups) {
        return Conv2d.conv2d(x, weight, bias, new Shape(stride, stride), new Shape(padding, padding),
                new Shape(1, 1), groups).singletonOrThrow();
    }

    /**
     * Filters every channel with the same 2-D kernel, valid (unpadded) correlation, stride 1, as a grouped
     * convolution (the engine's fast depthwise path; folding channels into the batch was 4x slower). The
     * per-channel weight is built in x's manager, so no per-call copies of the constant collect in the
     * constant's manager over a long loop.
     *
     * @param kernel (1, 1, kH, kW), any float type (cast to x's type)
     */
    public static NDArray depthwise(NDArray x, NDArray kernel) {
        Shape k = kernel.getShape();
        long c = x.getShape().get(1);
        NDArray weight = x.getManager().zeros(new Shape(c, 1, k.get(2), k.get(3)), x.getDataType())
                .add(castLike(kernel, x));
        return conv2d(x, weight, null, 1, 0, (int) c);
    }

    /**
     * Average pooling with a square window, no padding. A window that is a multiple of its stride (32 at 16,
     * say) is pooled as the average of stride-sized blocks, read once, then of (size / stride)^2 neighbouring
     * blocks: the same windows and values for a fraction of the reads.
     */
    public static NDArray avgPool(NDArray x, int size, int stride) {
        if (size > stride && size % stride == 0) {
            return avgPool2d(avgPool2d(x, stride, stride), size / stride, 1);
        }
        return avgPool2d(x, size, stride);
    }

    private static NDArray avgPool2d(NDArray x, int size, int stride) {
        return Pool.avgPool2d(x, new Shape(size, size), new Shape(stride, stride), new Shape(0, 0), false, true);
    }

    /**
     * Every p x p patch at {@code stride} (no padding), like torch's {@code unfold}: shape
     * (N, C * p * p, L), the patch vector ordered channel, row, column; L positions in row-major order.
     * Built as a grouped convolution with one-hot kernels, which is differentiable and fast for small p.
     */
    public static NDArray patches(NDArray x, int p, int stride) {
        Shape s = x.getShape();
        long c = s.get(1);
        if (p > s.get(2) || p > s.get(3)) {
            throw new IllegalArgumentException("patch size " + p + " exceeds the image " + s.get(2) + "x" + s.get(3));
        }
        int pp = p * p;
        float[] onehot = new float[pp * pp];
        for (int i = 0; i < pp; i++) {
            onehot[i * pp + i] = 1f;
        }
        NDArray w = owned(x.getManager().create(onehot, new Shape(pp, 1, p, p))).toType(x.getDataType(), false)
                .tile(new long[] {c, 1, 1, 1});
        NDArray out = conv2d(x, w, null, stride, 0, (int) c);
        return out.reshape(s.get(0), c * pp, -1);
    }

    /**
     * Every size x size window at {@code stride} (no padding) as one batch (N * windows, C, size, size),
     * image-major: the windows of image 0 first, each image's windows in row-major order.
     */
    public static NDArray windows(NDArray x, int size, int stride) {
        Shape s = x.getShape();
        NDList list = new NDList();
        for (long i = 0; i + size <= s.get(2); i += stride) {
            for (long j = 0; j + size <= s.get(3); j += stride) {
                list.add(x.get(":, :, " + i + ":" + (i + size) + ", " + j + ":" + (j + size)));
            }
        }
        return NDArrays.stack(list, 1).reshape(-1, s.get(1), size, size);
    }

    /**
     * Runs {@code f(x, y)} so that its temporaries are released on return: x and y are attached to a
     * sub-manager while it runs (ops on them create their outputs there), and only the result goes back
     * to x's manager. Tensors the autograd graph still needs stay alive in the engine.
     */
    public static NDArray scoped(NDArray x, NDArray y, BinaryOperator<NDArray> f) {
        NDManager home = x.getManager();
        try (NDManager scope = home.newSubManager()) {
            if (x == y) {
                scope.tempAttachAll(x);
            } else {
                scope.tempAttachAll(x, y);
            }
            NDArray out = f.apply(x, y);
            out.attach(home);
            return out;
        }
    }

    /**
     * Each column of a (rows, columns) array divided by its unbiased standard deviation: random projection
     * directions of equal spread. A new array in a's manager; the temporaries are released.
     */
    public static NDArray columnsOverStd(NDArray a) {
        double dof = Math.max(a.getShape().get(0) - 1, 1);
        return scoped(a, x -> {
            NDArray centred = x.sub(x.mean(new int[] {0}, true));
            return x.div(times(centred.square().sum(new int[] {0}, true), 1.0 / dof).sqrt());
        });
    }

    /** {@link #scoped(NDArray, NDArray, BinaryOperator)} for a function of one array. */
    public static NDArray scoped(NDArray x, UnaryOperator<NDArray> f) {
        return scoped(x, x, (a, unused) -> f.apply(a));
    }

    /**
     * A constant (filters, projections) for one call on {@code like}: in like's data type and owned by
     * like's manager (a view when the type already matches, a converted copy otherwise). An op's result
     * joins its first operand's manager, so a product such as {@code constant.matMul(patches)} would
     * otherwise collect in the constant's manager at every call of a long optimisation.
     */
    public static NDArray castLike(NDArray constant, NDArray like) {
        NDArray own = constant.getDataType() == like.getDataType()
                ? constant.reshape(constant.getShape())
                : constant.toType(like.getDataType(), false);
        own.attach(like.getManager());
        return own;
    }

    /**
     * The arrays joined along {@code axis}, with their gradient kept: DJL's {@code NDArrays.concat} of a lone
     * array returns a copy outside the autograd graph, so one array is returned as it is.
     */
    public static NDArray concat(NDList parts, int axis) {
        return parts.size() == 1 ? parts.head() : NDArrays.concat(parts, axis);
    }

    /**
     * x in float64 with its gradient kept, for a computation done in float64: DJL's {@code toType} leaves the
     * autograd graph, a product with a float64 one does not (type promotion widens it).
     */
    public static NDArray toFloat64(NDArray x) {
        return x.getDataType() == DataType.FLOAT64 ? x : x.mul(x.getManager().ones(new Shape(1), DataType.FLOAT64));
    }

    /**
     * Per-pair values (N) computed in another type (see {@link #toFloat64}) back in {@code like}'s type, with
     * their gradient kept: each value, 0-dim, times a (1) array of ones of that type, which type promotion keeps
     * in that type (a 0-dim operand does not widen a result). One product per value: for per-pair results only.
     */
    public static NDArray valuesLike(NDArray values, NDArray like) {
        if (values.getDataType() == like.getDataType()) {
            return values;
        }
        NDArray ones = values.getManager().ones(new Shape(1), like.getDataType());
        NDList each = new NDList();
        for (long i = 0; i < values.getShape().get(0); i++) {
            each.add(ones.mul(values.get(i)));
        }
        return concat(each, 0);
    }

    /** A normalised 1-D Gaussian of {@code size} taps centred on the middle tap. */
    public static float[] gaussian1d(int size, double sigma) {
        float[] g = new float[size];
        double centre = size / 2;
        double sum = 0;
        double[] d = new double[size];
        for (int i = 0; i < size; i++) {
            d[i] = Math.exp(-(i - centre) * (i - centre) / (2 * sigma * sigma));
            sum += d[i];
        }
        for (int i = 0; i < size; i++) {
            g[i] = (float) (d[i] / sum);
        }
        return g;
    }
}
