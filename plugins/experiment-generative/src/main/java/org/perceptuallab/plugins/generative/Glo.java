package org.perceptuallab.plugins.generative;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.perceptuallab.kit.io.Checkpoint;
import org.perceptuallab.kit.optim.Adam;
import org.perceptuallab.kit.tensor.Draws;

/**
 * Generative Latent Optimisation (Bojanowski et al. 2018): one learnable code per training image, drawn
 * from N(0, 0.01^2) and optionally kept on the unit sphere, trained with the generator by Adam. The codes
 * are one dense tensor with dense gradients, as torch's {@code nn.Embedding} under {@code torch.optim.Adam}:
 * codes outside a batch still move by their first moment.
 */
final class Glo implements GenerativeModel {
    static final double CODE_STD = 0.01;
    /** The checkpoint's prefix of the generator's gradients collected since its last step. */
    private static final String PENDING = "pending.g/";

    private final NDManager owner;
    private final Settings settings;
    private final Network generator;
    private final Adam generatorAdam;
    private final Adam codesAdam;
    private final int heldOutSteps;
    private final long seed;
    private NDArray codes;

    /** A fresh model: generator and codes drawn from {@code draws}, in that order. */
    Glo(NDManager owner, Settings settings, TransposedConv transposed, Draws draws, int images, int heldOutSteps,
        long seed) {
        this.owner = owner;
        this.settings = settings;
        this.generator = Network.generator(owner, draws, transposed, settings.design());
        this.codes = initialCodes(draws, owner, images);
        this.generatorAdam = new Adam(owner, Settings.BETA1, Settings.BETA2);
        this.codesAdam = new Adam(owner, Settings.BETA1, Settings.BETA2);
        this.heldOutSteps = heldOutSteps;
        this.seed = seed;
    }

    private NDArray initialCodes(Draws draws, NDManager into, int count) {
        NDArray z = draws.normal(into, new Shape(count, settings.latent())).muli(CODE_STD);
        if (settings.sphere()) {
            project(z);
        }
        z.setRequiresGradient(true);
        return z;
    }

    /** Each row onto the unit sphere, in place. */
    private static void project(NDArray z) {
        try (NDArray norms = z.square().sum(new int[] {1}, true).sqrt()) {
            z.divi(norms);
        }
    }

    @Override
    public Network generator() {
        return generator;
    }

    @Override
    public NDArray reconstruct(NDArray indices, NDArray images) {
        return generator.forward(codes.get(indices), true);
    }

    /**
     * The codes step every batch; the generator every {@code codeSteps} batches (counted over the whole run, as
     * the reference counts), with the gradients of those batches added up.
     */
    @Override
    public void step(int epoch, NDManager scope) {
        codesAdam.step(Map.of("codes", codes), settings.codes().at(epoch), scope);
        if (settings.sphere()) {
            project(codes);
        }
        if (!generatorGradientsPending()) {
            generatorAdam.step(generator.parameters(), settings.network().at(epoch), scope);
        }
    }

    /** Whether the generator has gradients of batches since its last step that its next step will use. */
    private boolean generatorGradientsPending() {
        return codesAdam.steps() % settings.codeSteps() != 0;
    }

    @Override
    public List<NDArray> live() {
        List<NDArray> out = new ArrayList<>(generator.state().values());
        out.add(codes);
        return out;
    }

    @Override
    public Map<String, NDArray> state(NDManager scope) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        generator.state().forEach((name, t) -> out.put("g/" + name, t));
        out.put("codes", codes);
        generatorAdam.moments().forEach((name, t) -> out.put("adam.g/" + name, t));
        codesAdam.moments().forEach((name, t) -> out.put("adam.codes/" + name, t));
        if (generatorGradientsPending()) {
            generator.parameters().forEach((name, p) -> {
                NDArray gradient = p.getGradient();
                gradient.attach(scope);
                out.put(PENDING + name, gradient);
            });
        }
        return out;
    }

    @Override
    public ObjectNode optimiserSteps() {
        return JsonNodeFactory.instance.objectNode().put("generator", generatorAdam.steps())
                .put("codes", codesAdam.steps());
    }

    @Override
    public void restore(Checkpoint checkpoint) {
        generator.restore(checkpoint.under("g/"), owner);
        NDArray saved = checkpoint.tensors().get("codes").duplicate();
        saved.attach(owner);
        saved.setRequiresGradient(true);
        codes.close();
        codes = saved;
        ObjectNode steps = (ObjectNode) checkpoint.meta().get("optimiser");
        generatorAdam.restore(steps.get("generator").asLong(), checkpoint.under("adam.g/"));
        codesAdam.restore(steps.get("codes").asLong(), checkpoint.under("adam.codes/"));
        restoreGradients(checkpoint.under(PENDING));
    }

    /** Hands the generator the gradients it had collected: the gradient of sum(p g) in p is g, bit for bit. */
    private void restoreGradients(Map<String, NDArray> pending) {
        if (pending.isEmpty()) {
            return;
        }
        Engine engine = Engine.getEngine(owner.getEngine().getEngineName());
        try (NDManager scope = owner.newSubManager(); GradientCollector gc = engine.newGradientCollector()) {
            NDArray total = scope.zeros(new Shape());
            for (Map.Entry<String, NDArray> e : pending.entrySet()) {
                NDArray gradient = e.getValue().duplicate();
                gradient.attach(scope);
                total = total.add(gradient.mul(generator.parameters().get(e.getKey())).sum());
            }
            gc.backward(total);
        }
    }

    @Override
    public NDArray trainingCodes(NDArray indices, NDArray images, NDManager into) {
        try (NDArray picked = codes.get(indices)) {
            NDArray out = picked.duplicate();
            out.attach(into);
            return out;
        }
    }

    /** Adam steps fitting the codes of held-out images. */
    int heldOutSteps() {
        return heldOutSteps;
    }

    /**
     * Adam on fresh codes (the training draw and betas, the codes' first learning rate) for
     * {@code heldOutSteps} steps, the generator frozen in evaluation mode.
     */
    @Override
    public NDArray heldOutCodes(NDArray images, Objective objective, NDManager into) {
        generator.setTrainable(false);
        try (NDManager fit = into.newSubManager()) {
            NDArray z = initialCodes(new Draws(seed), fit, (int) images.getShape().get(0));
            Adam adam = new Adam(fit, Settings.BETA1, Settings.BETA2);
            Engine engine = Engine.getEngine(owner.getEngine().getEngineName());
            for (int step = 0; step < heldOutSteps; step++) {
                try (NDManager scope = fit.newSubManager()) {
                    scope.tempAttachAll(images, z);
                    generator.state().values().forEach(t -> t.tempAttach(scope));
                    try (GradientCollector gc = engine.newGradientCollector()) {
                        gc.backward(objective.distances(generator.forward(z, false), images).mean());
                    }
                    adam.step(Map.of("z", z), settings.codes().at(0), scope);
                    if (settings.sphere()) {
                        project(z);
                    }
                }
            }
            NDArray out = z.duplicate();
            out.attach(into);
            return out;
        } finally {
            generator.setTrainable(true);
        }
    }
}
