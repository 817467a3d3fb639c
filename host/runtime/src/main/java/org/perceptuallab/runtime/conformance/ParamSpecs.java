package org.perceptuallab.runtime.conformance;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.perceptuallab.api.Param;
import org.perceptuallab.api.ParamSpec;
import org.perceptuallab.api.PlabException;

/** What makes a parameter spec unusable: the problems a plugin author must fix, one line each. */
final class ParamSpecs {
    private ParamSpecs() {
    }

    /**
     * The spec's problems: names that are not camelCase, help missing, a range whose minimum exceeds its
     * maximum, a default its own range or choices reject (the host fills defaults in unchecked, so such a
     * default would reach the plugin), and example configurations the spec rejects.
     */
    static List<String> problems(String owner, ParamSpec spec, List<ObjectNode> examples) {
        List<String> problems = new ArrayList<>();
        for (Param p : spec.params()) {
            String name = "parameter '" + p.name() + "'";
            if (!p.name().matches("[a-z][A-Za-z0-9]*")) {
                problems.add(name + ": a name must be camelCase (letters and digits, starting lower-case)");
            }
            if (p.help().isBlank()) {
                problems.add(name + ": no help text (plab losses and plab experiments print it)");
            }
            if (p.min() != null && p.max() != null && p.min() > p.max()) {
                problems.add(name + ": its range [" + p.min() + ", " + p.max() + "] is empty");
            }
            if (p.defaultValue() != null) {
                ObjectNode given = JsonNodeFactory.instance.objectNode();
                given.set(p.name(), p.defaultValue().deepCopy());
                try {
                    // A spec of this parameter alone, so that another parameter's absence is not blamed on it.
                    ParamSpec.of(p).resolve(owner, given);
                } catch (PlabException rejected) {
                    problems.add(name + ": its default " + p.defaultValue() + " is rejected by its own declaration ("
                            + rejected.getMessage() + ")");
                }
            }
        }
        for (ObjectNode example : examples) {
            try {
                spec.resolve(owner, example);
            } catch (PlabException rejected) {
                problems.add("example configuration " + example + " is rejected: " + rejected.getMessage());
            }
        }
        return problems;
    }
}
