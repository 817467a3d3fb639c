package org.perceptuallab.plugins.generative;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.ExperimentContext;
import org.perceptuallab.api.ExperimentResult;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.Progress;
import org.perceptuallab.kit.io.SyntheticImages;
import org.perceptuallab.kit.tensor.Draws;

/**
 * What {@code glo} and {@code autoencoder} share (EXPERIMENTS.md, "autoencoder and glo"): the data, the
 * DCGAN generator trained with the loss under study as D(reconstruction, image), checkpoints, and the
 * evaluation afterwards. Grey images are given to the loss as three equal channels (as grey photos read as
 * RGB are), so that losses with an RGB trunk take them; pixel losses give the same values either way.
 */
abstract class GenerativeExperiment implements Experiment {
    static final Param<String> DATA = Param.string("data", null, "training images: a folder of images (flat, or"
            + " one sub-folder per class), IDX files or CIFAR-10 batches (relative to the matrix file)").required();
    static final Param<Integer> SIZE = Param.integer("size", 64, 32, 128,
            "images are resized (shorter side) and centre-cropped to size x size;"
            + " 32, 64 or 128");
    static final Param<Boolean> GRAY = Param.bool("gray", false, "one grey channel instead of RGB");
    static final Param<Integer> MAX_IMAGES = Param.integer("maxImages", 0, 0, 100_000_000,
            "most images used, drawn by the run's seed; 0: all");
    static final Param<Double> HELD_OUT = Param.real("heldOut", 0.1, 0, 0.9,
            "fraction of the images held out of training, drawn by the run's seed");
    static final Param<Integer> LATENT = Param.integer("latent", 512, 1, 65_536, "code length (the reference: 512)");
    static final Param<Integer> WIDTH = Param.integer("width", 64, 1, 1024,
            "channels of the generator's last hidden stage (the reference: 64); see 'layout' for the others");
    static final Param<String> LAYOUT = Param.choice("layout", "reference", Network.Layout.NAMES,
            "reference: the reference's networks (each stage towards 4x4 doubles the channels up to 8 width: 64 px"
            + " 512, 256, 128, 64, 128 px 512, 512, 256, 128, 64; encoder with ReLU and batch norm after every"
            + " convolution but the last); dcgan: the earlier default (8 width at 4x4 halving per stage, encoder"
            + " with LeakyReLU(0.2) and no batch norm on its first convolution)");
    static final Param<String> INIT = Param.choice("init", "xavier", Init.NAMES,
            "xavier: the reference's Xavier-normal weights with gain sqrt(2), batch norm at torch's defaults;"
            + " dcgan: the earlier default, weights N(0, 0.02) and batch-norm scales N(1, 0.02)");
    static final Param<Integer> EPOCHS = Param.integer("epochs", 200, 1, 1_000_000,
            "training epochs (the reference: 200)");
    static final Param<Integer> BATCH = Param.integer("batch", 64, 1, 65_536, "images per step (the reference: 64)");
    static final Param<Double> LR_DECAY = Param.real("lrDecay", 0.75, 0.01, 1,
            "learning-rate factor applied every lrEvery epochs");
    static final Param<Integer> LR_EVERY = Param.integer("lrEvery", 25, 1, 1_000_000,
            "epochs between learning-rate decays (the reference: 25)");
    static final Param<Integer> CHECKPOINT_EVERY = Param.integer("checkpointEvery", 0, 0, 1_000_000_000,
            "steps between checkpoints inside an epoch; 0: at"
            + " epoch ends only (every epoch end writes one)");
    static final Param<Integer> FIXED_IMAGES = Param.integer("fixedImages", 8, 1, 64,
            "training images whose reconstructions are shown per epoch");
    static final Param<Integer> SAMPLES = Param.integer("samples", 16, 1, 1024,
            "samples of the fitted Gaussian shown, with their nearest training"
            + " images");
    static final Param<Integer> INTERPOLATIONS = Param.integer("interpolations", 4, 0, 64,
            "pairs of training images interpolated between");
    static final Param<Integer> INTERPOLATION_STEPS = Param.integer("interpolationSteps", 8, 2, 64,
            "images along each interpolation");
    static final Param<Integer> SWD_PATCH = Param.integer("swdPatch", 8, 1, 128,
            "patch side of the patch sliced Wasserstein distance");
    static final Param<Integer> SWD_PROJECTIONS = Param.integer("swdProjections", 128, 1, 100_000,
            "random directions of the sliced Wasserstein distances");
    static final Param<Integer> IMLE_EPOCHS = Param.integer("imleEpochs", 20, 0, 1_000_000,
            "epochs fitting the IMLE sampler to the learnt codes (the reference: 20); 0: no IMLE sampler");
    static final Param<Integer> IMLE_BATCH = Param.integer("imleBatch", 8, 1, 65_536,
            "codes per step of the IMLE sampler (the reference: 8)");
    static final Param<Double> IMLE_LR = Param.real("imleLr", 0.001, 1e-8, 1,
            "Adam learning rate of the IMLE sampler's mapping (the reference: 0.001)");
    static final Param<Integer> IMLE_NOISE = Param.integer("imleNoise", 64, 1, 65_536,
            "noise dimensions of the IMLE sampler's input (the reference's e_dim: 64)");
    static final Param<LossSpec> FEATURE_LOSS = Param.configuredLoss("featureLoss", new LossSpec("vgg",
            JsonNodeFactory.instance.objectNode().put("metric", "l2").set("layers",
                    JsonNodeFactory.instance.objectNode().put("MP5", 1.0))),
            "the loss whose exact feature map gives the baselines' Fréchet distance ('FD in <loss> features', not"
            + " FID); default: random-weight VGG16's last max pool");
    static final Param<String> EVALUATE_WITH = Param.string("evaluateWith", "",
            "further losses, as a comma list of loss ids (l2,vgg,mmd++), under which the held-out reconstructions"
            + " are scored too, as metrics heldOut.under.<id> (the loss-by-loss table of a matrix); empty: none");
    private static final List<Param<?>> COMMON = List.of(DATA, SIZE, GRAY, MAX_IMAGES, HELD_OUT, LATENT, WIDTH, LAYOUT,
            INIT, EPOCHS, BATCH, LR_DECAY, LR_EVERY, CHECKPOINT_EVERY, FIXED_IMAGES, SAMPLES, INTERPOLATIONS, INTERPOLATION_STEPS,
            SWD_PATCH, SWD_PROJECTIONS, IMLE_EPOCHS, IMLE_BATCH, IMLE_LR, IMLE_NOISE, FEATURE_LOSS, EVALUATE_WITH);

    /** Everything the two experiments declare: the common parameters, then their own. */
    static ParamSpec spec(Param<?>... own) {
        List<Param<?>> all = new ArrayList<>(COMMON);
        all.addAll(List.of(own));
        return ParamSpec.of(all);
    }

    /** The networks' learning rate parameter, {@code lr}, whose default is the reference's for the experiment. */
    static Param<Double> networkLr(double reference, String what) {
        return Param.real("lr", reference, 1e-8, 1, "Adam learning rate of " + what);
    }

    /**
     * Eight generated 32x32 images, 2 epochs of tiny networks, pixel features for the baselines: a run of a
     * second or two.
     */
    @Override
    public Optional<ObjectNode> tinyRun(Path folder) {
        for (int i = 0; i < 8; i++) {
            SyntheticImages.write(folder.resolve("images/" + i + ".png"), 32, i);
        }
        return Optional.of(JsonNodeFactory.instance.objectNode().put("data", "images").put("size", 32)
                .put("latent", 8).put("width", 2).put("epochs", 2).put("batch", 4).put("heldOut", 0.25)
                .put("samples", 4).put("interpolations", 1).put("fixedImages", 4).put("swdProjections", 8)
                .put("imleEpochs", 2).put("imleBatch", 2).put("imleNoise", 4)
                .set("featureLoss", JsonNodeFactory.instance.objectNode().put("loss", "l2")));
    }

    /** The cell's training settings. */
    abstract Settings settings(Params p);

    /** A fresh model of this experiment, drawn from {@code draws}. */
    abstract GenerativeModel create(NDManager owner, Settings settings, TransposedConv transposed, Draws draws,
                                    ImageSet data, Params params, long seed);

    @Override
    public ExperimentResult run(Params p, Loss loss, ExperimentContext ctx) throws Exception {
        String owner = "experiment '" + id() + "' under loss '" + loss.spec() + "'";
        Settings settings = settings(p);
        Network.widths(settings.size(), settings.width(), settings.layout());
        ImageSet data = ImageSet.read(owner, ctx.resolve(p.get(DATA)), settings.size(), p.get(GRAY),
                p.get(MAX_IMAGES), p.get(HELD_OUT), ctx.seed(), ctx.manager());
        UnaryOperator<NDArray> lossView = settings.channels() == 1 ? x -> x.repeat(1, 3) : x -> x;
        GenerativeModel.Objective objective = (reconstructions, images) -> loss.distance(
                lossView.apply(reconstructions), lossView.apply(images));
        try (NDManager owned = ctx.manager().newSubManager(); TransposedConv transposed = new TransposedConv(owned)) {
            GenerativeModel model = create(owned, settings, transposed, new Draws(ctx.seed()), data, p, ctx.seed());
            Trainer trainer = new Trainer(owner, settings, model, objective, data.train(), ctx.state(),
                    p.get(FIXED_IMAGES));
            int batch = Math.min(settings.batch(), data.trainCount());
            long steps = (long) settings.epochs() * ((data.trainCount() + batch - 1) / batch);
            Trainer.Outcome outcome;
            try (Progress progress = ctx.progress(id() + " " + loss.spec().id(), steps)) {
                outcome = trainer.run(progress, ctx.seed());
            }
            return new Evaluation(p, settings, ctx, data, model, objective, lossView, owned).evaluate(loss, outcome);
        }
    }
}
