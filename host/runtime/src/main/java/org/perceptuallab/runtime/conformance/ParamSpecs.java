package org.perceptuallab.runtime.conformance;

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
     * The spec's problems: names that are not camelCase, help missing, and example configurations the spec
     * rejects. (An empty range, or a default its own declaration rejects, cannot be built: api 2.0's
     * {@code Param} refuses them.)
     */
    static List<String> problems(String owner, ParamSpec spec, List<ObjectNode> examples) {
        List<String> problems = new ArrayList<>();
        for (Param<?> p : spec.params()) {
            String name = "parameter '" + p.name() + "'";
            if (!p.name().matches("[a-z][A-Za-z0-9]*")) {
                problems.add(name + ": a name must be camelCase (letters and digits, starting lower-case)");
            }
            if (p.help().isBlank()) {
                problems.add(name + ": no help text (plab losses and plab experiments print it)");
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
