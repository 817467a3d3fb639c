package org.perceptuallab.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The host's packages form layers, read from the compiled classes: no package reaches back into one above it,
 * so following a cell from the command line to the report goes one way (docs/ARCHITECTURE.md draws them).
 */
class PackageLayersTest {
    private static final String HOST = "org.perceptuallab.host";
    /** Bottom to top: a package may use those before it, never those after. */
    private static final List<String> LAYERS = List.of("host", "io", "provenance", "run", "report", "matrix", "bench",
            "check", "share", "web", "cli");
    private static Map<String, Set<String>> uses;
    /** Each host class (nested classes count as their top-level class) with the host classes it depends on. */
    private static Map<String, Set<String>> classUses;

    @BeforeAll
    static void readTheCompiledHost() {
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(HOST);
        uses = packageGraph(classes);
        classUses = classGraph(classes);
    }

    private static Map<String, Set<String>> classGraph(JavaClasses classes) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (JavaClass c : classes) {
            String from = topLevel(c);
            Set<String> to = out.computeIfAbsent(from, k -> new TreeSet<>());
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String target = topLevel(d.getTargetClass());
                if (target.startsWith(HOST + ".") && !target.equals(from)) {
                    to.add(target);
                }
            }
        }
        return out;
    }

    private static String topLevel(JavaClass c) {
        String name = c.getName();
        int nested = name.indexOf('$');
        return nested < 0 ? name : name.substring(0, nested);
    }

    /** Each host package (short name) with the host packages its classes depend on. */
    private static Map<String, Set<String>> packageGraph(JavaClasses classes) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (JavaClass c : classes) {
            String from = shortName(c.getPackageName());
            Set<String> to = out.computeIfAbsent(from, k -> new TreeSet<>());
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String target = d.getTargetClass().getPackageName();
                if (target.equals(HOST) || target.startsWith(HOST + ".")) {
                    String name = shortName(target);
                    if (!name.equals(from)) {
                        to.add(name);
                    }
                }
            }
        }
        return out;
    }

    private static String shortName(String packageName) {
        return packageName.equals(HOST) ? "host" : packageName.substring(HOST.length() + 1);
    }

    @Test
    void everyHostPackageHasItsPlaceInTheLayers() {
        assertThat(LAYERS).containsAll(uses.keySet());
    }

    @Test
    void noPackageUsesOneAboveIt() {
        List<String> upward = new ArrayList<>();
        uses.forEach((from, targets) -> targets.stream().filter(to -> LAYERS.indexOf(to) > LAYERS.indexOf(from))
                .forEach(to -> upward.add(from + " -> " + to)));
        assertThat(upward).as("dependencies that point up the layers").isEmpty();
    }

    @Test
    void theHostsPackagesHaveNoImportCycle() {
        assertThat(cycles(uses)).as("cycles among the host's packages").isEmpty();
    }

    /**
     * No host class depends, through any chain, on a class that depends on it: a cell followed from the command
     * to the report (MatrixCommand, MatrixRunner, MatrixPlanner, CellExecutor, ResultStore, ResultFiles,
     * ReportModel) only calls onward, never back into a class it left.
     */
    @Test
    void noHostClassDependsBackOnAClassThatUsesIt() {
        assertThat(cycles(classUses)).as("cycles among the host's classes").isEmpty();
    }

    /** The elementary cycles of the graph, each once (from its smallest node); the first 20 are enough to say. */
    private static List<String> cycles(Map<String, Set<String>> graph) {
        List<String> cycles = new ArrayList<>();
        for (String start : graph.keySet()) {
            findCycle(graph, start, start, new ArrayList<>(List.of(start)), cycles);
        }
        return cycles;
    }

    private static void findCycle(Map<String, Set<String>> graph, String start, String at, List<String> path,
                                  List<String> cycles) {
        for (String next : graph.getOrDefault(at, Set.of())) {
            if (cycles.size() >= 20) {
                return;
            }
            if (next.equals(start)) {
                cycles.add(String.join(" -> ", path) + " -> " + start);
            } else if (!path.contains(next) && next.compareTo(start) > 0) {
                path.add(next);
                findCycle(graph, start, next, path, cycles);
                path.remove(path.size() - 1);
            }
        }
    }
}
