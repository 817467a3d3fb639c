package org.perceptuallab.testkit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.perceptuallab.runtime.conformance.Check;
import org.perceptuallab.runtime.conformance.CheckResult;

/** Conformance checks as JUnit dynamic tests: one container per subject, one test per check. */
final class ConformanceTests {
    private ConformanceTests() {
    }

    /** The checks grouped by subject, in order, as {@code plab check} prints them. */
    static Stream<DynamicNode> of(String container, List<Check> checks) {
        Map<String, List<DynamicNode>> bySubject = new LinkedHashMap<>();
        for (Check check : checks) {
            bySubject.computeIfAbsent(check.subject(), s -> new ArrayList<>()).add(test(check));
        }
        List<DynamicNode> subjects = new ArrayList<>();
        bySubject.forEach((subject, tests) -> subjects.add(DynamicContainer.dynamicContainer(subject, tests.stream())));
        return Stream.of(DynamicContainer.dynamicContainer(container, subjects.stream()));
    }

    /** Failed fails the test, not applicable skips it, each with the check's detail. */
    private static DynamicTest test(Check check) {
        return DynamicTest.dynamicTest(check.name(), () -> {
            CheckResult result = check.run();
            // Dynamic tests are reported by index: the message names the subject and the check.
            String line = result.subject() + ", " + result.check() + ": " + result.detail();
            switch (result.status()) {
                case FAILED -> Assertions.fail(line);
                case NOT_APPLICABLE -> Assumptions.abort(line);
                case PASSED -> System.out.println("passed  " + line);
            }
        });
    }
}
