package org.perceptuallab.plugins.deep;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.perceptuallab.kit.catalog.LossCatalog;
import org.perceptuallab.kit.golden.GoldenCase;
import org.perceptuallab.kit.golden.GoldenOutcome;
import org.perceptuallab.kit.golden.GoldenSuite;

/** Every shared golden case of this plugin's losses, through the harness behind {@code plab golden}. */
class DeepGoldenTest {
    static final Set<String> DEEP_LOSSES = Set.of("vgg", "alexnet", "lpips");
    static NDManager manager;
    static LossCatalog catalog;

    @BeforeAll
    static void setUp() {
        manager = NDManager.newBaseManager();
        catalog = LossCatalog.fromClasspath();
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    static Path sharedGolden() {
        return Path.of(System.getProperty("plab.shared", "../../../shared")).resolve("golden");
    }

    @TestFactory
    Stream<DynamicTest> sharedGoldenCases() {
        GoldenSuite suite = GoldenSuite.load(sharedGolden());
        List<GoldenCase> mine = suite.cases().stream().filter(c -> DEEP_LOSSES.contains(c.lossId())).toList();
        assertThat(mine).extracting(GoldenCase::name).contains("vgg-head-l1", "vgg-head-l2", "vgg-head-gram",
                "vgg-head-gram_trace", "vgg-head-cx", "vgg-head-relu-gram", "vgg-full-l1");
        return mine.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            GoldenOutcome outcome = suite.run(c, catalog, manager);
            System.out.printf("golden %s: %s, worst relative error %.3g%n", c.name(), outcome.status(),
                    outcome.worstRelativeError());
            assertThat(outcome.status())
                    .as("%s: expected %s, got %s (%s)", c.name(), Arrays.toString(outcome.expected()),
                            Arrays.toString(outcome.actual()), outcome.message())
                    .isEqualTo(GoldenOutcome.Status.PASSED);
        }));
    }
}
