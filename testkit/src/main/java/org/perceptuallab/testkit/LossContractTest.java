package org.perceptuallab.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.runtime.conformance.LossConformance;

/**
 * The loss contract, checked for every loss family on the test class path in each of its
 * {@linkplain LossFamily#examples() example configurations}: a plugin's test extends this class, with no
 * body, and every family it contributes is checked exactly as {@code plab check} checks it (the checks are
 * {@link LossConformance}'s: see there, or docs/PLUGINS.md, for the list). A failed check fails its test
 * with the numbers; one that does not apply (no feature map offered, say) is reported skipped, saying why.
 *
 * <p>Override the tolerances where a family's arithmetic needs it.
 */
public abstract class LossContractTest extends CatalogTest {

    /** Largest gradient error relative to the largest gradient, float64 central differences. */
    protected double gradientTolerance() {
        return LossConformance.Tolerances.DEFAULT.gradient();
    }

    /**
     * Largest relative difference of the float64 checks: a pair alone versus in its batch, the squared
     * feature distance versus the loss, d(y, x) versus d(x, y), a distance matrix versus the paired
     * distances, two losses of one seed. Float64 keeps summation order out of it.
     */
    protected double float64Tolerance() {
        return LossConformance.Tolerances.DEFAULT.float64();
    }

    /**
     * More example configurations by family id, checked as the family's own are: a composite of another
     * plugin over this plugin's losses (laplacian over patch-swd, say), which the composite's own plugin cannot
     * name, since its tests do not have this plugin.
     */
    protected Map<String, List<ObjectNode>> moreExamples() {
        return Map.of();
    }

    @TestFactory
    Stream<DynamicNode> everyFamilyKeepsTheLossContractInEachExample() {
        return lab.lossContract(manager, gradientTolerance(), float64Tolerance(), moreExamples());
    }
}
