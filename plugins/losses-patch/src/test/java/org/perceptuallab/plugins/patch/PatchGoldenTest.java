package org.perceptuallab.plugins.patch;

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
class PatchGoldenTest {
    static final Set<String> PATCH_LOSSES = Set.of("patch-rbf", "patch-mmd", "mmd-exact", "mmd-approx", "mmd++",
            "mmd+++", "patch-swd", "swd++");
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
        List<GoldenCase> mine = suite.cases().stream().filter(c -> PATCH_LOSSES.contains(c.lossId())).toList();
        assertThat(mine).extracting(GoldenCase::name).contains("patch-rbf-3", "patch-rbf-11", "mmd-exact",
                "patch-mmd-rbf", "patch-mmd-dot", "mmd-approx", "mmd-approx-cm", "mmd-approx-gap", "mmd++",
                "patch-swd");
        return mine.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            GoldenOutcome outcome = suite.run(c, catalog, manager);
            System.out.printf("golden %-16s worst relative error %.3g %s %s%n", c.name(), outcome.worstRelativeError(), Arrays.toString(outcome.expected()), Arrays.toString(outcome.actual()));
            assertThat(outcome.status())
                    .as("%s: expected %s, got %s (%s)", c.name(), Arrays.toString(outcome.expected()),
                            Arrays.toString(outcome.actual()), outcome.message())
                    .isEqualTo(GoldenOutcome.Status.PASSED);
        }));
    }
}
