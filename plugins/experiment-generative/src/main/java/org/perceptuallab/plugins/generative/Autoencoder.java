package org.perceptuallab.plugins.generative;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.perceptuallab.kit.io.Checkpoint;
import org.perceptuallab.kit.optim.Adam;
import org.perceptuallab.kit.tensor.Draws;

/** A DCGAN encoder and generator trained together on D(G(E(x)), x), each by its own Adam. */
final class Autoencoder implements GenerativeModel {
    private final NDManager owner;
    private final Settings settings;
    private final Network encoder;
    private final Network generator;
    private final Adam encoderAdam;
    private final Adam generatorAdam;

    /** A fresh model: generator, then encoder, drawn from {@code draws}. */
    Autoencoder(NDManager owner, Settings settings, TransposedConv transposed, Draws draws) {
        this.owner = owner;
        this.settings = settings;
        this.generator = Network.generator(owner, draws, transposed, settings.design());
        this.encoder = Network.encoder(owner, draws, settings.design());
        this.encoderAdam = new Adam(owner, Settings.BETA1, Settings.BETA2);
        this.generatorAdam = new Adam(owner, Settings.BETA1, Settings.BETA2);
    }

    @Override
    public Network generator() {
        return generator;
    }

    @Override
    public NDArray reconstruct(NDArray indices, NDArray images) {
        return generator.forward(encoder.forward(images, true), true);
    }

    @Override
    public void step(int epoch, NDManager scope) {
        double lr = settings.network().at(epoch);
        encoderAdam.step(encoder.parameters(), lr, scope);
        generatorAdam.step(generator.parameters(), lr, scope);
    }

    @Override
    public List<NDArray> live() {
        List<NDArray> out = new ArrayList<>(encoder.state().values());
        out.addAll(generator.state().values());
        return out;
    }

    @Override
    public Map<String, NDArray> state(NDManager scope) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        encoder.state().forEach((name, t) -> out.put("e/" + name, t));
        generator.state().forEach((name, t) -> out.put("g/" + name, t));
        encoderAdam.moments().forEach((name, t) -> out.put("adam.e/" + name, t));
        generatorAdam.moments().forEach((name, t) -> out.put("adam.g/" + name, t));
        return out;
    }

    @Override
    public ObjectNode optimiserSteps() {
        return JsonNodeFactory.instance.objectNode().put("encoder", encoderAdam.steps())
                .put("generator", generatorAdam.steps());
    }

    @Override
    public void restore(Checkpoint checkpoint) {
        encoder.restore(checkpoint.under("e/"), owner);
        generator.restore(checkpoint.under("g/"), owner);
        ObjectNode steps = (ObjectNode) checkpoint.meta().get("optimiser");
        encoderAdam.restore(steps.get("encoder").asLong(), checkpoint.under("adam.e/"));
        generatorAdam.restore(steps.get("generator").asLong(), checkpoint.under("adam.g/"));
    }

    @Override
    public NDArray trainingCodes(NDArray indices, NDArray images, NDManager into) {
        return encode(images, into);
    }

    @Override
    public NDArray heldOutCodes(NDArray images, Objective objective, NDManager into) {
        return encode(images, into);
    }

    private NDArray encode(NDArray images, NDManager into) {
        try (NDManager scope = into.newSubManager()) {
            scope.tempAttachAll(images);
            NDArray codes = encoder.forward(images, false);
            codes.attach(into);
            return codes;
        }
    }
}
