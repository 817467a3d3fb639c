package org.perceptuallab.kit.nets;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The weights and images of tools/golden/fid_reference.py, computed the same way: a counter-based generator
 * (SplitMix64 of an FNV-1a seed of a name) that gives the same doubles in Java and numpy.
 */
final class FormulaInception {
    static final int IMAGE_SIZE = 32;

    private FormulaInception() {
    }

    static long nameSeed(String name) {
        long h = 0xCBF29CE484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001B3L;
        }
        return h;
    }

    /** count doubles in [0, 1): the top 53 bits of SplitMix64 at seed + (i + 1) * golden gamma. */
    static double[] uniform(String name, int count) {
        long seed = nameSeed(name);
        double[] u = new double[count];
        for (int i = 0; i < count; i++) {
            long z = seed + (i + 1L) * 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z = z ^ (z >>> 31);
            u[i] = (z >>> 11) * 0x1.0p-53;
        }
        return u;
    }

    static float[] tensor(String name, Shape shape) {
        double[] u = uniform(name, Math.toIntExact(shape.size()));
        float[] v = new float[u.length];
        for (int i = 0; i < u.length; i++) {
            double x;
            if (name.endsWith("conv.weight")) {
                x = (2 * u[i] - 1) * Math.sqrt(6.0 / (shape.get(1) * shape.get(2) * shape.get(3)));
            } else if (name.endsWith("bn.weight") || name.endsWith("bn.running_var")) {
                x = 0.8 + 0.4 * u[i];
            } else if (name.endsWith("bn.bias")) {
                x = 0.2 * (2 * u[i] - 1);
            } else if (name.endsWith("bn.running_mean")) {
                x = 0.1 * (2 * u[i] - 1);
            } else {
                throw new IllegalArgumentException(name);
            }
            v[i] = (float) x;
        }
        return v;
    }

    static Map<String, NDArray> weights(NDManager manager) {
        Map<String, NDArray> w = new LinkedHashMap<>();
        InceptionV3.parameterShapes().forEach((name, shape) -> w.put(name, manager.create(tensor(name, shape), shape)));
        return w;
    }

    /** Images {@code from} to {@code to} - 1 of set {@code which} (0 or 1), (N, 3, 32, 32) in [0, 1]. */
    static NDArray images(NDManager manager, int which, int from, int to) {
        int plane = IMAGE_SIZE * IMAGE_SIZE;
        float[] all = new float[(to - from) * 3 * plane];
        for (int n = from; n < to; n++) {
            double[] p = uniform("image-" + which + "-" + n, 5);
            double fx = (0.1 + 0.5 * p[0]) * (1 + which);
            double fy = (0.1 + 0.5 * p[1]) * (1 + which);
            double amplitude = 0.3 + 0.1 * which;
            double[] noise = uniform("noise-" + which + "-" + n, 3 * plane);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < IMAGE_SIZE; y++) {
                    for (int x = 0; x < IMAGE_SIZE; x++) {
                        int i = c * plane + y * IMAGE_SIZE + x;
                        double v = 0.5 + amplitude * Math.sin(fx * x + fy * y + 2 * Math.PI * p[2 + c])
                                + (0.1 + 0.1 * which) * (2 * noise[i] - 1);
                        all[(n - from) * 3 * plane + i] = (float) Math.min(Math.max(v, 0), 1);
                    }
                }
            }
        }
        return manager.create(all, new Shape(to - from, 3, IMAGE_SIZE, IMAGE_SIZE));
    }
}
