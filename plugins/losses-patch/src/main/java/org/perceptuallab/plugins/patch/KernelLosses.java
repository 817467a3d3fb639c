package org.perceptuallab.plugins.patch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.kit.Examples;
import org.perceptuallab.kit.SimpleLoss;
import org.perceptuallab.kit.tensor.Ops;
import org.pf4j.Extension;

/** The exact kernel losses on patches: {@code patch-rbf}, {@code patch-mmd}, {@code mmd-exact}. */
public final class KernelLosses {
    private KernelLosses() {
    }

    /** Patch vectors (B, L, C p^2) of every p x p patch at a stride, normalised per image. */
    static NDArray patchVectors(NDArray images, int patch, int stride, PatchNormalization normalization) {
        NDArray patches = Ops.patches(images, patch, stride);
        return normalization.ofPatches(patches, images.getShape().get(1)).transpose(0, 2, 1);
    }

    /**
     * A kernel between corresponding patches of x and y, averaged over positions: the study's PatchRBFLoss
     * (Gaussian) and PatchRBFLaplacianLoss (Laplacian), with its strides, scale, per-patch centring and unit
     * norm.
     */
    @Extension
    public static final class PatchRbf implements LossFamily {
        static final String ID = "patch-rbf";
        /** The study's floor under a square root, which keeps it and its gradient finite at 0. */
        private static final double SQRT_FLOOR = 1e-30;
        private static final Param<Integer> PATCH_SIZE = PatchParams.patchSize(3);
        private static final Param<Double> SIGMA = PatchParams.sigma(0.1,
                "kernel bandwidth per patch element (scaled by p^2)");
        private static final Param<Boolean> PAD = Param.bool("pad", true,
                "zero-pad by p/2 so that every pixel centres a patch");
        private static final Param<Integer> STRIDE = PatchParams.stride(1);
        private static final Param<Double> SCALE = Param.real("scale", 1.0, 1e-3, 1e3,
                "x and y are multiplied by it first");
        private static final Param<String> KERNEL = Param.choice("kernel", "gaussian", List.of("gaussian", "laplacian"),
                "gaussian: 1 - exp(-S / (2 sigma'^2)); laplacian: 1 - exp(-sqrt(S) / sigma')");
        private static final Param<String> NORMALIZE_PATCH = PatchParams.normalizePatch(
                List.of("none", "channel_mean", "mean"),
                "subtract each patch's own mean: per channel (channel_mean) or over all its elements (mean)");
        private static final Param<Boolean> IGNORE_PATCH_NORM = Param.bool("ignorePatchNorm", false,
                "divide each (centred) patch by its L2 norm, so that only its direction counts");

        @Override
        public String id() {
            return ID;
        }

        @Override
        public String summary() {
            return "mean over positions of 1 - exp(-S / (2 (sigma p^2)^2)), S the squared difference summed "
                    + "over each p x p window (or the Laplacian kernel 1 - exp(-sqrt(S) / (sigma p^2)))";
        }

        /** Small configurations for checks and docs, fast on 32 x 32 images. */
        @Override
        public List<ObjectNode> examples() {
            return Examples.of("{\"patchSize\": 3, \"sigma\": 0.3}",
                    "{\"patchSize\": 5, \"sigma\": 0.2, \"stride\": 2, \"scale\": 2, \"kernel\": \"laplacian\"}",
                    "{\"patchSize\": 3, \"sigma\": 0.3, \"stride\": 2, \"normalizePatch\": \"channel_mean\","
                            + " \"ignorePatchNorm\": true}",
                    "{\"patchSize\": 3, \"sigma\": 0.3, \"pad\": false, \"normalizePatch\": \"mean\","
                            + " \"kernel\": \"laplacian\"}");
        }

        @Override
        public ParamSpec params() {
            return ParamSpec.of(PATCH_SIZE, SIGMA, PAD, STRIDE, SCALE, KERNEL, NORMALIZE_PATCH, IGNORE_PATCH_NORM);
        }

        @Override
        public Loss create(Params params, LossContext context) {
            int p = params.get(PATCH_SIZE);
            int stride = params.get(STRIDE);
            double scale = params.get(SCALE);
            double scaled = params.get(SIGMA) * p * p;
            boolean gaussian = params.get(KERNEL).equals("gaussian");
            String normalize = params.get(NORMALIZE_PATCH);
            boolean unitNorm = params.get(IGNORE_PATCH_NORM);
            boolean wholePatches = !normalize.equals("none") || unitNorm;
            int padding = params.get(PAD) ? p / 2 : 0;
            return SimpleLoss.symmetric(ID, params, (a, b) -> {
                PatchParams.requireFits(ID, PATCH_SIZE, p, a.getShape());
                NDArray x = scale == 1 ? a : Ops.times(a, scale);
                NDArray y = scale == 1 ? b : Ops.times(b, scale);
                // S = sumScale * sums: the window sums as p^2 times a zero-padded average, where no patch is
                // transformed (pooling, not a one-channel convolution, whose gradient the engine gets wrong
                // on some CPUs: Ops.conv2d); else each patch prepared, then its squared difference summed.
                NDArray sums;
                double sumScale;
                if (wholePatches) {
                    NDArray d = prepared(x, p, stride, padding, normalize, unitNorm)
                            .sub(prepared(y, p, stride, padding, normalize, unitNorm));
                    sums = d.square().sum(new int[] {1});
                    sumScale = 1;
                } else {
                    NDArray perPixel = x.sub(y).square().sum(new int[] {1}, true);
                    sums = Pool.avgPool2d(perPixel, new Shape(p, p), new Shape(stride, stride),
                            new Shape(padding, padding), false, true);
                    sumScale = p * p;
                }
                NDArray similarity = gaussian ? Ops.times(sums, -sumScale / (2 * scaled * scaled)).exp()
                        : Ops.times(safeSqrt(Ops.times(sums, sumScale)), -1 / scaled).exp();
                return Ops.meanPerSample(similarity.neg().add(1));
            });
        }

        /** Patch vectors (B, C p^2, L) of the zero-padded images, centred and unit-normed as asked. */
        private static NDArray prepared(NDArray images, int p, int stride, int padding, String normalize,
                                        boolean unitNorm) {
            NDArray padded = padding == 0 ? images : images.pad(new Shape(padding, padding, padding, padding), 0);
            NDArray t = Ops.patches(padded, p, stride);
            Shape s = t.getShape();
            if (normalize.equals("channel_mean")) {
                NDArray perChannel = t.reshape(s.get(0), images.getShape().get(1), -1, s.get(2));
                t = perChannel.sub(perChannel.mean(new int[] {2}, true)).reshape(s);
            } else if (normalize.equals("mean")) {
                t = t.sub(t.mean(new int[] {1}, true));
            }
            return unitNorm ? t.div(safeSqrt(t.square().sum(new int[] {1}, true))) : t;
        }

        private static NDArray safeSqrt(NDArray a) {
            return a.clip(SQRT_FLOOR, Float.MAX_VALUE).sqrt();
        }
    }

    /** Biased MMD^2 between all patches of x and of y. */
    @Extension
    public static final class PatchMmd implements LossFamily {
        static final String ID = "patch-mmd";
        private static final Param<String> KERNEL = Param.choice("kernel", "rbf", List.of("rbf", "dot", "ssim"),
                "rbf: sum of Gaussians over the sigmas; dot: a . b; ssim: the SSIM index of the two patches"
                        + " (Gaussian window of the patch's size, sigma 1.5)");
        /** The SSIM kernel's window sigma and constants k1, k2: the study's SSIMKernel defaults. */
        private static final double SSIM_SIGMA = 1.5;
        private static final double SSIM_K1 = 0.01;
        private static final double SSIM_K2 = 0.03;
        private static final Param<Integer> PATCH_SIZE = PatchParams.patchSize(7);
        private static final Param<Integer> STRIDE = PatchParams.stride(1);
        private static final Param<double[]> SIGMAS = Param.reals("sigmas", new double[] {0.1, 0.05, 0.025, 0.01},
                1e-4, 1e3, "rbf bandwidths per patch element (each scaled by p^2)");
        private static final Param<String> NORMALIZE_PATCH = PatchParams.normalizePatch(PatchNormalization.allIds(),
                "patch normalisation per image");

        @Override
        public String id() {
            return ID;
        }

        @Override
        public String summary() {
            return "biased MMD^2 between the patch sets of x and y (multi-bandwidth RBF, dot or SSIM kernel)";
        }

        /** Small configurations for checks and docs, fast on 32 x 32 images. */
        @Override
        public List<ObjectNode> examples() {
            return Examples.of("{\"patchSize\": 3, \"stride\": 2, \"sigmas\": [0.3, 0.1]}", "{\"kernel\": \"dot\", \"patchSize\": 3, \"stride\": 2, \"normalizePatch\": \"normalize\"}",
                    "{\"kernel\": \"ssim\", \"patchSize\": 5, \"stride\": 3}");
        }

        @Override
        public ParamSpec params() {
            return ParamSpec.of(KERNEL, PATCH_SIZE, STRIDE, SIGMAS, NORMALIZE_PATCH);
        }

        @Override
        public Loss create(Params params, LossContext context) {
            int p = params.get(PATCH_SIZE);
            int stride = params.get(STRIDE);
            PatchNormalization normalization = PatchNormalization.of(params.get(NORMALIZE_PATCH));
            Mmd.Kernel kernel = switch (params.get(KERNEL)) {
                case "dot" -> Mmd.DOT;
                case "ssim" -> Mmd.ssim(window(p), SSIM_K1, SSIM_K2);
                default -> Mmd.gaussians(Arrays.stream(params.get(SIGMAS))
                        .map(s -> 1 / (2 * (s * p * p) * (s * p * p))).toArray());
            };
            return SimpleLoss.symmetric(ID, params, (a, b) -> {
                PatchParams.requireFits(ID, PATCH_SIZE, p, a.getShape());
                return Mmd.biased(patchVectors(a, p, stride, normalization),
                        patchVectors(b, p, stride, normalization), kernel);
            });
        }
    }

    /** The SSIM kernel's p x p window: the outer product of the normalised 1-D Gaussian, row-major. */
    static double[] window(int p) {
        float[] g = Ops.gaussian1d(p, PatchMmd.SSIM_SIGMA);
        double[] w = new double[p * p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                w[i * p + j] = (double) g[i] * g[j];
            }
        }
        return w;
    }

    /** Exact Gaussian MMD^2 of the patch sets of sliding windows, averaged over the windows. */
    @Extension
    public static final class MmdExact implements LossFamily {
        static final String ID = "mmd-exact";
        private static final Param<Integer> PATCH_SIZE = PatchParams.patchSize(3);
        private static final Param<Double> SIGMA = PatchParams.sigma(0.06,
                "kernel bandwidth per patch element: K = exp(-d^2 / (sigma p^2)^2)");
        private static final Param<Integer> WINDOW = Param.integer("window", 32, 1, PatchParams.MAX_SIDE,
                "window side in pixels");
        private static final Param<Integer> WINDOW_STRIDE = Param.integer("windowStride", 16, 1,
                PatchParams.MAX_SIDE, "step between windows in pixels");
        private static final Param<String> NORMALIZE_PATCH = PatchParams.normalizePatch(PatchNormalization.allIds(),
                "patch normalisation per window");

        @Override
        public String id() {
            return ID;
        }

        @Override
        public String summary() {
            return "exact Gaussian patch MMD^2 in sliding windows (reflect padding), mean over windows";
        }

        /** Small configurations for checks and docs, fast on 32 x 32 images. */
        @Override
        public List<ObjectNode> examples() {
            return Examples.of("{\"patchSize\": 3, \"sigma\": 0.2, \"window\": 8, \"windowStride\": 8, \"normalizePatch\": \"channel_mean\"}");
        }

        @Override
        public ParamSpec params() {
            return ParamSpec.of(PATCH_SIZE, SIGMA, WINDOW, WINDOW_STRIDE, NORMALIZE_PATCH);
        }

        @Override
        public Loss create(Params params, LossContext context) {
            int p = params.get(PATCH_SIZE);
            int window = params.get(WINDOW);
            int windowStride = params.get(WINDOW_STRIDE);
            double scaled = params.get(SIGMA) * p * p;
            Mmd.Kernel kernel = Mmd.gaussians(1 / (scaled * scaled));
            PatchNormalization normalization = PatchNormalization.of(params.get(NORMALIZE_PATCH));
            int pad = p / 2;
            return SimpleLoss.symmetric(ID, params, (a, b) -> {
                PatchParams.requireFits(ID, PATCH_SIZE, p, a.getShape());
                PatchParams.requireFits(ID, WINDOW, window, a.getShape());
                NDArray xw = Ops.windows(Ops.reflectPad(a, pad), window + 2 * pad, windowStride);
                NDArray yw = Ops.windows(Ops.reflectPad(b, pad), window + 2 * pad, windowStride);
                NDArray perWindow = Mmd.biased(patchVectors(xw, p, 1, normalization),
                        patchVectors(yw, p, 1, normalization), kernel);
                return perWindow.reshape(a.getShape().get(0), -1).mean(new int[] {1});
            });
        }
    }
}
