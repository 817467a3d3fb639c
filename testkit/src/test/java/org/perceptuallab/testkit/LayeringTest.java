package org.perceptuallab.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Plugins and examples see the host through the api, the kit and this test kit only, so the host's runtime is
 * free to change under them: no source under {@code plugins/} or {@code examples/} imports it, and the test
 * kit's public surface names none of its types.
 */
class LayeringTest {
    private static final Pattern RUNTIME_IMPORT =
            Pattern.compile("^\\s*import\\s+(static\\s+)?org\\.perceptuallab\\.runtime\\.", Pattern.MULTILINE);

    @Test
    void noPluginOrExampleImportsTheHostRuntime() throws IOException {
        List<Path> sources = javaSources("plugins", "examples");
        assertThat(sources).as("the sources were found").hasSizeGreaterThan(100);
        assertThat(sources.stream().filter(LayeringTest::importsTheRuntime).map(Fixtures.root()::relativize))
                .as("files importing org.perceptuallab.runtime (use TestLab, TestCell or the test kit's bases)")
                .isEmpty();
    }

    /** What the test kit's public types may name: the JDK, the api with DJL and Jackson, the kit, JUnit, AssertJ. */
    private static final List<String> SURFACE = List.of("java.", "org.perceptuallab.api.", "org.perceptuallab.kit.",
            "org.perceptuallab.testkit.", "ai.djl.", "com.fasterxml.jackson.", "org.junit.", "org.assertj.");

    @Test
    void theTestKitsPublicSurfaceNamesOnlyApiKitDjlJUnitAndAssertJTypes() throws Exception {
        Path classes = Path.of(TestLab.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Class<?>> types;
        try (Stream<Path> files = Files.walk(classes.resolve("org/perceptuallab/testkit"))) {
            types = files.map(f -> classes.relativize(f).toString()).filter(f -> f.endsWith(".class"))
                    .map(f -> f.substring(0, f.length() - ".class".length()).replace('/', '.'))
                    .map(LayeringTest::load).filter(c -> Modifier.isPublic(c.getModifiers())).toList();
        }
        assertThat(types).contains(TestLab.class, TestCell.class, CatalogTest.class);
        List<String> outside = new ArrayList<>();
        for (Class<?> type : types) {
            Set<Type> named = new LinkedHashSet<>();
            named.add(type.getGenericSuperclass());
            named.addAll(List.of(type.getGenericInterfaces()));
            for (Field f : type.getDeclaredFields()) {
                if (visible(f.getModifiers())) {
                    named.add(f.getGenericType());
                }
            }
            for (Executable e : Stream.concat(Stream.of(type.getDeclaredMethods()),
                    Stream.of(type.getDeclaredConstructors())).toList()) {
                if (visible(e.getModifiers())) {
                    named.addAll(List.of(e.getGenericParameterTypes()));
                    named.addAll(List.of(e.getGenericExceptionTypes()));
                    if (e instanceof Method m) {
                        named.add(m.getGenericReturnType());
                    }
                }
            }
            named.stream().filter(Objects::nonNull).flatMap(LayeringTest::classesIn).map(Class::getName)
                    .filter(name -> SURFACE.stream().noneMatch(name::startsWith))
                    .forEach(name -> outside.add(type.getSimpleName() + " names " + name));
        }
        assertThat(outside).as("types of the host in the test kit's public surface").isEmpty();
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    /** The classes a generic type names: itself, its arguments, bounds and components. */
    private static Stream<Class<?>> classesIn(Type type) {
        if (type instanceof Class<?> c) {
            return c.isArray() ? classesIn(c.getComponentType()) : c.isPrimitive() ? Stream.empty() : Stream.of(c);
        }
        if (type instanceof ParameterizedType p) {
            return Stream.concat(classesIn(p.getRawType()), Stream.of(p.getActualTypeArguments())
                    .flatMap(LayeringTest::classesIn));
        }
        if (type instanceof WildcardType w) {
            return Stream.concat(Stream.of(w.getUpperBounds()), Stream.of(w.getLowerBounds()))
                    .flatMap(LayeringTest::classesIn);
        }
        if (type instanceof GenericArrayType a) {
            return classesIn(a.getGenericComponentType());
        }
        return Stream.empty(); // a type variable: its bounds are declared where it is
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, LayeringTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Path> javaSources(String... folders) throws IOException {
        try (Stream<Path> files = Stream.of(folders).map(Fixtures.root()::resolve).flatMap(LayeringTest::walk)) {
            return files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> !f.toString().contains("/target/")).toList();
        }
    }

    private static Stream<Path> walk(Path dir) {
        try {
            return Files.walk(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean importsTheRuntime(Path file) {
        try {
            return RUNTIME_IMPORT.matcher(Files.readString(file)).find();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
