package org.perceptuallab.runtime.catalog;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.ServiceLoader;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.LossFactory;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.Params;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.InputBound;

/**
 * The installed loss families, and the one way losses are built: parameters checked against the
 * family's spec, and every distance call's inputs checked ({@link CheckedLoss}) against the range the
 * context declares ({@link InputBound}: [-1, 1] unless a composite widens it for its inner losses).
 */
public final class LossCatalog implements LossFactory {
    private final Registry<LossFamily> families = new Registry<>("loss", LossFamily::id);

    /** The families, for listing and adding. */
    public Registry<LossFamily> families() {
        return families;
    }

    /** A catalogue of every family on the class path ({@code META-INF/services}), as plugin tests use. */
    public static LossCatalog fromClasspath() {
        LossCatalog catalog = new LossCatalog();
        for (LossFamily f : ServiceLoader.load(LossFamily.class)) {
            catalog.families.add(f, "classpath " + PluginFailure.location(f.getClass()));
        }
        return catalog;
    }

    @Override
    public Loss create(LossSpec spec, LossContext context) {
        Registry.Entry<LossFamily> entry = families.require(spec.id());
        LossFamily family = entry.extension();
        String owner = "loss '" + spec.id() + "'";
        requireKnownNames(owner, family.params(), spec.params());
        Params params = family.params().resolve(owner, spec.params());
        Loss loss;
        try {
            loss = family.create(params, context);
        } catch (RuntimeException | LinkageError | AssertionError e) {
            throw PluginFailure.wrap("loss '" + spec.id() + "': create", family.getClass(), entry.origin(), e);
        }
        return new CheckedLoss(loss, entry.origin(), InputBound.of(context));
    }

    /**
     * Fails on a parameter the family does not declare, naming the closest declared one. The spec refuses
     * such a name too, listing the declared ones; the suggestion is the host's.
     */
    private static void requireKnownNames(String owner, ParamSpec spec, ObjectNode given) {
        List<String> known = spec.params().stream().<String>map(Param::name).toList();
        given.fieldNames().forEachRemaining(name -> {
            if (spec.get(name).isEmpty()) {
                throw new PlabException(owner + ": unknown parameter '" + name + "'"
                        + DidYouMean.suggestion(name, known) + "; known: "
                        + (known.isEmpty() ? "none" : String.join(", ", known)));
            }
        });
    }
}
