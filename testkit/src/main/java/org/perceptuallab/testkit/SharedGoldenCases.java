package org.perceptuallab.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.perceptuallab.runtime.golden.GoldenCase;
import org.perceptuallab.runtime.golden.GoldenOutcome;
import org.perceptuallab.runtime.golden.GoldenSuite;

/**
 * Base of a loss plugin's golden test: one dynamic test per case of the golden directory (the repository's
 * {@code examples/golden}) whose loss the plugin provides, run through {@link GoldenSuite} (the code path of
 * {@code plab golden}) against the families on the test class path. A case whose weight file cannot ship
 * ({@code vgg16-features.pth}) reads it from the external fixtures' {@code golden/} and is skipped, naming
 * the file, where there are none ({@link Fixtures#external}).
 */
public abstract class SharedGoldenCases extends CatalogTest {

    /** The loss ids this plugin provides. */
    protected abstract Set<String> losses();

    /** Case names that must be present, so that a shrunken golden directory cannot pass silently. */
    protected abstract Set<String> requiredCases();

    @TestFactory
    Stream<DynamicTest> sharedGoldenCases() {
        GoldenSuite suite = GoldenSuite.load(Fixtures.golden(), Fixtures.externalIfPresent("golden").stream().toList());
        List<GoldenCase> mine = suite.cases().stream().filter(c -> losses().contains(c.lossId())).toList();
        assertThat(mine).extracting(GoldenCase::name).containsAll(requiredCases());
        return mine.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            c.missingFiles().forEach(file -> Fixtures.external("golden/" + file));
            GoldenOutcome outcome = suite.run(c, lab.catalog(), manager);
            System.out.printf("golden %-20s %s worst relative error %.3g%n", c.name(), outcome.status(),
                    outcome.worstRelativeError());
            assertThat(outcome.status())
                    .as("%s: expected %s, got %s (%s)", c.name(), Arrays.toString(outcome.expected()),
                            Arrays.toString(outcome.actual()), outcome.message())
                    .isEqualTo(GoldenOutcome.Status.PASSED);
        }));
    }
}
