package org.perceptuallab.host.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.perceptuallab.api.FeatureMap;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.Progress;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.matrix.ConsoleProgress;
import org.perceptuallab.kit.io.Images;
import org.perceptuallab.kit.metrics.FeatureStatistics;
import org.perceptuallab.kit.metrics.FrechetDistance;
import org.perceptuallab.kit.metrics.KernelInceptionDistance;
import org.perceptuallab.kit.nets.InceptionV3;
import org.perceptuallab.kit.weights.WeightsLocator;
import org.perceptuallab.runtime.catalog.Registry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code plab fid}: the Fréchet distance (and with {@code --kid} the kernel inception distance) between two
 * folders of images, in the FID Inception's pool3 features or in the exact feature space of a loss.
 */
@Command(name = "fid", mixinStandardHelpOptions = true,
        description = {"Print the FID between the images of folders A and B (RGB), and with --kid the KID.",
                "Features are the FID Inception-v3's (pytorch-fid's network: the weights file "
                        + InceptionV3.WEIGHTS_FILE + ", from the weights folder or --weights), or those of a loss"
                        + " with an exact feature map (--features vgg), whose scores are labelled with it."})
public final class FidCommand extends LabCommand {
    static final String INCEPTION = "inception";
    /** A D x D covariance and its eigendecompositions stay practical (seconds to minutes) up to this D. */
    static final int MAX_FEATURES = 4096;

    @Parameters(index = "0", paramLabel = "DIR_A", description = "First folder of images.")
    Path a;

    @Parameters(index = "1", paramLabel = "DIR_B", description = "Second folder of images.")
    Path b;

    @Option(names = "--kid", description = "Also print the KID (100 subsets of min(1000, N) images, seeded by"
            + " --seed): mean and standard error.")
    boolean kid;

    @Option(names = "--features", paramLabel = "inception|LOSS", description = "Feature space: the FID Inception"
            + " (default) or a loss id with an exact feature map (see 'plab losses').")
    String features = INCEPTION;

    @Option(names = {"-p", "--param"}, paramLabel = "KEY=VALUE",
            description = "With --features LOSS: a loss parameter, as in 'plab distance'.")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--weights", paramLabel = "FILE", description = "The FID Inception weights (default: "
            + InceptionV3.WEIGHTS_FILE + " in the weights folder, PLAB_WEIGHTS_DIR or --weights-dir).")
    String weights = WeightsLocator.PRETRAINED;

    @Option(names = "--resize", paramLabel = "WxH|S", description = "Resize every image to W x H (or S x S) first;"
            + " needed when a folder's images differ in size.")
    String resize;

    @Option(names = "--batch", paramLabel = "N", description = "Images per network call (default: ${DEFAULT-VALUE}).")
    int batch = 50;

    @Option(names = "--json", description = "Print JSON instead of lines.")
    boolean json;

    @Override
    protected int run(Lab lab) throws IOException {
        if (batch < 1) {
            throw new PlabException("--batch must be at least 1, got " + batch);
        }
        int[] size = DistanceCommand.parseSize(resize);
        List<Path> filesA = ImageSet.imageFiles(a);
        List<Path> filesB = ImageSet.imageFiles(b);
        boolean inception = INCEPTION.equals(features);
        String label = inception ? "" : " in " + features + " feature space";
        try (NDManager scope = lab.manager().newSubManager()) {
            NDArray fa;
            NDArray fb;
            if (inception) {
                Path file = WeightsLocator.locate("plab fid", "--weights", weights,
                        Optional.ofNullable(lab.settings().weightsDir()), InceptionV3.WEIGHTS_FILE,
                        InceptionV3.WEIGHTS_URL);
                try (InceptionV3 net = InceptionV3.load(file, scope)) {
                    // the loss convention's [-1, 1] back to the [0, 1] the network takes
                    UnaryOperator<NDArray> map = x -> net.features(x.add(1).div(2));
                    fa = featuresOf(filesA, size, map, scope);
                    fb = featuresOf(filesB, size, map, scope);
                }
            } else {
                try (Loss loss = lab.createLoss(new LossSpec(features, ParamValues.toJson(params)), scope)) {
                    FeatureMap map = loss.featureMap().orElseThrow(() -> new PlabException("plab fid: loss '" + features
                            + "' has no exact feature map; --features takes inception or one of "
                            + String.join(", ", lossesWithFeatureMaps(lab))));
                    fa = featuresOf(filesA, size, map::features, scope);
                    fb = featuresOf(filesB, size, map::features, scope);
                }
            }
            double fid = FrechetDistance.between(FeatureStatistics.of(fa), FeatureStatistics.of(fb));
            KernelInceptionDistance.Result kernel = kid ? KernelInceptionDistance.between(fa, fb, lab.settings().seed())
                    : null;
            print(label, fid, kernel, filesA.size(), filesB.size(), fa.getShape().get(1));
        }
        return 0;
    }

    /** The (N, D) features of the files, {@link #batch} images at a time. */
    private NDArray featuresOf(List<Path> files, int[] size, UnaryOperator<NDArray> map, NDManager scope) {
        NDList parts = new NDList();
        try (Progress bar = ConsoleProgress.open("features " + features, files.size())) {
            for (int from = 0; from < files.size(); from += batch) {
                List<Path> chunk = files.subList(from, Math.min(files.size(), from + batch));
                try (NDManager step = scope.newSubManager()) {
                    NDList images = new NDList();
                    for (Path f : chunk) {
                        images.add(Images.load(step, f, 3, size == null ? 0 : size[0], size == null ? 0 : size[1]));
                    }
                    NDArray batchImages = concat(images, chunk);
                    NDArray f = map.apply(batchImages);
                    f = f.reshape(f.getShape().get(0), -1);
                    requireFewFeatures(f.getShape().get(1));
                    f.attach(scope);
                    parts.add(f);
                }
                bar.step(chunk.size());
            }
        }
        return NDArrays.concat(parts, 0);
    }

    private void requireFewFeatures(long dimension) {
        if (dimension > MAX_FEATURES) {
            throw new PlabException("plab fid: " + features + " gives " + dimension + " features per image, more than"
                    + " the " + MAX_FEATURES + " a covariance can be fitted to here; pass --resize with a smaller"
                    + " size, or choose a feature space with fewer features");
        }
    }

    private static NDArray concat(NDList images, List<Path> files) {
        for (int i = 1; i < images.size(); i++) {
            if (!images.get(i).getShape().equals(images.get(0).getShape())) {
                throw new PlabException(files.get(i) + " is " + images.get(i).getShape() + " but " + files.get(0)
                        + " is " + images.get(0).getShape() + "; pass --resize WxH to score images of different sizes");
            }
        }
        return NDArrays.concat(images, 0);
    }

    /** The installed losses whose example configurations have an exact feature map. */
    private static List<String> lossesWithFeatureMaps(Lab lab) {
        List<String> ids = new ArrayList<>();
        for (Registry.Entry<LossFamily> e : lab.losses().families().entries()) {
            LossFamily family = e.extension();
            for (ObjectNode example : family.examples()) {
                try (NDManager scope = lab.manager().newSubManager();
                     Loss loss = lab.createLoss(new LossSpec(family.id(), example), scope)) {
                    if (loss.featureMap().isPresent()) {
                        ids.add(family.id());
                        break;
                    }
                } catch (RuntimeException unusable) {
                    // an example that cannot be built here (missing weights) tells nothing
                }
            }
        }
        return ids;
    }

    private void print(String label, double fid, KernelInceptionDistance.Result kernel, int countA, int countB,
                       long dimension) throws IOException {
        if (json) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("features", features);
            o.put("dimension", dimension);
            o.put("imagesA", countA);
            o.put("imagesB", countB);
            o.put("fid", fid);
            if (kernel != null) {
                o.put("kid", kernel.mean());
                o.put("kidStandardError", kernel.standardError());
                o.put("kidSubsets", kernel.subsets());
                o.put("kidSubsetSize", kernel.subsetSize());
            }
            out().println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(o));
            return;
        }
        out().printf(Locale.ROOT, "FID%s: %.6f (%d and %d images, %d features)%n", label, fid, countA, countB,
                dimension);
        if (kernel != null) {
            out().printf(Locale.ROOT, "KID%s: %.6g +- %.2g (standard error, %d subsets of %d)%n", label, kernel.mean(),
                    kernel.standardError(), kernel.subsets(), kernel.subsetSize());
        }
    }
}
