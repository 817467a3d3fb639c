package org.perceptuallab.kit.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.perceptuallab.kit.golden.GoldenCase;
import org.perceptuallab.kit.golden.GoldenOutcome;
import org.perceptuallab.kit.golden.GoldenSuite;

/**
 * Base of a loss plugin's golden test: one dynamic test per case of the shared golden directory whose loss
 * the plugin provides, run through {@link GoldenSuite} (the code path of {@code plab golden}) against the
 * families on the test class path. Shipped in plab-kit's test jar.
 */
public abstract class SharedGoldenCases extends CatalogTest {

    /** The loss ids this plugin provides. */
    protected abstract Set<String> losses();

    /** Case names that must be present, so that a shrunken golden directory cannot pass silently. */
    protected abstract Set<String> requiredCases();

    /** The shared golden directory: {@code plab.shared}/golden (Surefire sets it). */
    public static Path sharedGolden() {
        return Path.of(System.getProperty("plab.shared", "../../../shared")).resolve("golden");
    }

    @TestFactory
    Stream<DynamicTest> sharedGoldenCases() {
        GoldenSuite suite = GoldenSuite.load(sharedGolden());
        List<GoldenCase> mine = suite.cases().stream().filter(c -> losses().contains(c.lossId())).toList();
        assertThat(mine).extracting(GoldenCase::name).containsAll(requiredCases());
        return mine.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            GoldenOutcome outcome = suite.run(c, catalog, manager);
            System.out.printf("golden %-20s %s worst relative error %.3g%n", c.name(), outcome.status(),
                    outcome.worstRelativeError());
            assertThat(outcome.status())
                    .as("%s: expected %s, got %s (%s)", c.name(), Arrays.toString(outcome.expected()),
                            Arrays.toString(outcome.actual()), outcome.message())
                    .isEqualTo(GoldenOutcome.Status.PASSED);
        }));
    }
}
