package org.perceptuallab.plugins.pixel;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
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
class PixelGoldenTest {
    static final Set<String> PIXEL_LOSSES =
            Set.of("l1", "l2", "lp", "ssim", "grad", "grad3", "lap1", "pyramid", "window", "sum");
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
        List<GoldenCase> mine = suite.cases().stream().filter(c -> PIXEL_LOSSES.contains(c.lossId())).toList();
        assertThat(mine).extracting(GoldenCase::lossId)
                .containsAll(Set.of("l1", "l2", "lp", "ssim", "grad", "grad3", "lap1", "pyramid"));
        return mine.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            GoldenOutcome outcome = suite.run(c, catalog, manager);
            assertThat(outcome.status())
                    .as("%s: expected %s, got %s (%s)", c.name(), java.util.Arrays.toString(outcome.expected()),
                            java.util.Arrays.toString(outcome.actual()), outcome.message())
                    .isEqualTo(GoldenOutcome.Status.PASSED);
        }));
    }
}
