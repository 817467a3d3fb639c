package org.perceptuallab.plugins.deep;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The convolutional trunks in torchvision's layout ({@code features.<index>}), with the layer names losses
 * use and the published ImageNet weight files. Layer names map to stage indices; a conv layer's features
 * are its output before the ReLU. SqueezeNet 1.1's fire modules are one stage each (their three
 * convolutions {@code features.<index>.squeeze|expand1x1|expand3x3}, each followed by a ReLU, the two
 * expansions concatenated), and its max pools round their output size up (ceil mode).
 */
enum Architecture {
    VGG16("vgg16-397923af.pth", "https://download.pytorch.org/models/vgg16-397923af.pth",
            vggStages(Kind.MAX_POOL), List.of("relu1_2", "relu2_2", "relu3_3", "relu4_3", "relu5_3")),
    /**
     * VGG16 with every max pool replaced by DISTS's L2 pooling (Ding et al. 2020): the same convolutions and
     * weight files, so the same torchvision indices.
     */
    VGG16_L2POOL(VGG16.publishedFile, VGG16.publishedUrl, vggStages(Kind.L2_POOL), VGG16.lpipsLayers),
    ALEXNET("alexnet-owt-7be5be79.pth", "https://download.pytorch.org/models/alexnet-owt-7be5be79.pth",
            alexStages(), List.of("relu1", "relu2", "relu3", "relu4", "relu5")),
    SQUEEZENET("squeezenet1_1-b8a52dc0.pth", "https://download.pytorch.org/models/squeezenet1_1-b8a52dc0.pth",
            squeezeStages(), List.of("relu1", "fire3", "fire5", "fire6", "fire7", "fire8", "fire9"));

    /** The pseudo-layer holding the image itself. */
    static final String PIXELS = "pixels";

    /**
     * One stage of {@code features}: a convolution, a ReLU, a max pool (rounding its output size up where
     * {@code ceil}), an L2 pool or a fire module (squeeze to {@code squeeze} channels, expand to {@code out} / 2 by 1x1 and
     * {@code out} / 2 by 3x3).
     */
    record Stage(String name, Kind kind, int in, int out, int kernel, int stride, int padding, int squeeze,
                 boolean ceil) {
        Stage(String name, Kind kind, int in, int out, int kernel, int stride, int padding) {
            this(name, kind, in, out, kernel, stride, padding, 0, false);
        }

        static Stage fire(String name, int in, int squeeze, int out) {
            return new Stage(name, Kind.FIRE, in, out, 0, 1, 0, squeeze, false);
        }

        static Stage ceilPool(String name) {
            return new Stage(name, Kind.MAX_POOL, 0, 0, 3, 2, 0, 0, true);
        }

        /** The convolutions of stage {@code index}, in torchvision's module order (a fire module's three). */
        List<Conv> convolutions(int index) {
            String key = "features." + index;
            return switch (kind) {
                case CONV -> List.of(new Conv(key, in, out, kernel, stride, padding));
                case FIRE -> List.of(new Conv(key + ".squeeze", in, squeeze, 1, 1, 0),
                        new Conv(key + ".expand1x1", squeeze, out / 2, 1, 1, 0),
                        new Conv(key + ".expand3x3", squeeze, out / 2, 3, 1, 1));
                case RELU, MAX_POOL, L2_POOL -> List.of();
            };
        }

        /** The side of this stage's output for an input of side {@code side} (PyTorch's rule); below 1 when none. */
        long outputSide(long side) {
            return switch (kind) {
                case RELU, FIRE -> side;
                case CONV, L2_POOL -> Math.floorDiv(side + 2L * padding - kernel, stride) + 1;
                case MAX_POOL -> {
                    if (!ceil) {
                        yield Math.floorDiv(side + 2L * padding - kernel, stride) + 1;
                    }
                    long rounded = Math.floorDiv(side + 2L * padding - kernel + stride - 1, stride) + 1;
                    // the last window must start inside the input (or its left padding)
                    yield (rounded - 1) * stride >= side + padding ? rounded - 1 : rounded;
                }
            };
        }
    }

    /** One convolution: its weights are {@code <key>.weight} (out, in, kernel, kernel) and {@code <key>.bias}. */
    record Conv(String key, int in, int out, int kernel, int stride, int padding) {
    }

    /** What a stage computes. */
    enum Kind {
        CONV, RELU, MAX_POOL,
        /**
         * sqrt(h * x^2 + 1e-12) per channel at stride 2, zero padding 1, h the 3 x 3 Hann window
         * [1 2 1]^T [1 2 1] / 16 (DISTS's hanning(5) without its zero ends, normalised to sum 1).
         */
        L2_POOL,
        /** SqueezeNet's fire module. */
        FIRE
    }

    private final String publishedFile;
    private final String publishedUrl;
    private final List<Stage> stages;
    private final Map<String, Integer> indexByName;
    private final List<String> lpipsLayers;

    Architecture(String publishedFile, String publishedUrl, List<Stage> stages, List<String> lpipsLayers) {
        this.publishedFile = publishedFile;
        this.publishedUrl = publishedUrl;
        this.stages = Collections.unmodifiableList(stages);
        Map<String, Integer> names = new LinkedHashMap<>();
        for (int i = 0; i < stages.size(); i++) {
            names.put(stages.get(i).name(), i);
        }
        this.indexByName = Collections.unmodifiableMap(names);
        this.lpipsLayers = lpipsLayers;
    }

    /** torchvision's file name for the ImageNet weights. */
    String publishedFile() {
        return publishedFile;
    }

    /** Where torchvision publishes them. */
    String publishedUrl() {
        return publishedUrl;
    }

    List<Stage> stages() {
        return stages;
    }

    /** The stage index of a layer name, or -1 for {@link #PIXELS}. */
    int index(String owner, String layer) {
        if (PIXELS.equals(layer)) {
            return -1;
        }
        Integer i = indexByName.get(layer);
        if (i == null) {
            throw new org.perceptuallab.api.PlabException(owner + ": parameter 'layers' names unknown layer '"
                    + layer + "'; known: " + PIXELS + ", " + String.join(", ", indexByName.keySet()));
        }
        return i;
    }

    /** The side of stage {@code last}'s output for an input of side {@code side}; below 1 when none. */
    long outputSide(long side, int last) {
        long s = side;
        for (int i = 0; i <= last && s >= 1; i++) {
            s = stages.get(i).outputSide(s);
        }
        return s;
    }

    /** Channels of a stage's output: those of the last convolution or fire module at or before it (3 for pixels). */
    int channels(int stage) {
        int c = 3;
        for (int i = 0; i <= stage; i++) {
            if (stages.get(i).out() > 0) {
                c = stages.get(i).out();
            }
        }
        return c;
    }

    /** The layers LPIPS compares (ReLU outputs), in order. */
    List<String> lpipsLayers() {
        return lpipsLayers;
    }

    /** VGG16's five blocks, each closed by a pool of the given kind (max: 2 x 2 at 2; L2: 3 x 3 at 2, pad 1). */
    private static List<Stage> vggStages(Kind pooling) {
        int[][] blocks = {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};
        List<Stage> out = new ArrayList<>();
        int in = 3;
        for (int b = 0; b < blocks.length; b++) {
            for (int j = 0; j < blocks[b].length; j++) {
                String suffix = (b + 1) + "_" + (j + 1);
                out.add(new Stage("conv" + suffix, Kind.CONV, in, blocks[b][j], 3, 1, 1));
                out.add(new Stage("relu" + suffix, Kind.RELU, 0, 0, 0, 0, 0));
                in = blocks[b][j];
            }
            out.add(pooling == Kind.MAX_POOL ? new Stage("MP" + (b + 1), Kind.MAX_POOL, 0, 0, 2, 2, 0)
                    : new Stage("L2P" + (b + 1), Kind.L2_POOL, 0, 0, 3, 2, 1));
        }
        return out;
    }

    private static List<Stage> alexStages() {
        return List.of(
                new Stage("conv1", Kind.CONV, 3, 64, 11, 4, 2),
                new Stage("relu1", Kind.RELU, 0, 0, 0, 0, 0),
                new Stage("MP1", Kind.MAX_POOL, 0, 0, 3, 2, 0),
                new Stage("conv2", Kind.CONV, 64, 192, 5, 1, 2),
                new Stage("relu2", Kind.RELU, 0, 0, 0, 0, 0),
                new Stage("MP2", Kind.MAX_POOL, 0, 0, 3, 2, 0),
                new Stage("conv3", Kind.CONV, 192, 384, 3, 1, 1),
                new Stage("relu3", Kind.RELU, 0, 0, 0, 0, 0),
                new Stage("conv4", Kind.CONV, 384, 256, 3, 1, 1),
                new Stage("relu4", Kind.RELU, 0, 0, 0, 0, 0),
                new Stage("conv5", Kind.CONV, 256, 256, 3, 1, 1),
                new Stage("relu5", Kind.RELU, 0, 0, 0, 0, 0),
                new Stage("MP5", Kind.MAX_POOL, 0, 0, 3, 2, 0));
    }

    /** torchvision's squeezenet1_1 features: conv 3x3 stride 2, ReLU, then fire modules between ceil-mode pools. */
    private static List<Stage> squeezeStages() {
        return List.of(
                new Stage("conv1", Kind.CONV, 3, 64, 3, 2, 0),
                new Stage("relu1", Kind.RELU, 0, 0, 0, 0, 0),
                Stage.ceilPool("MP1"),
                Stage.fire("fire2", 64, 16, 128),
                Stage.fire("fire3", 128, 16, 128),
                Stage.ceilPool("MP3"),
                Stage.fire("fire4", 128, 32, 256),
                Stage.fire("fire5", 256, 32, 256),
                Stage.ceilPool("MP5"),
                Stage.fire("fire6", 256, 48, 384),
                Stage.fire("fire7", 384, 48, 384),
                Stage.fire("fire8", 384, 64, 512),
                Stage.fire("fire9", 512, 64, 512));
    }
}
