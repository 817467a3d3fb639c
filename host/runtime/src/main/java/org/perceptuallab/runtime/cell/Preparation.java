package org.perceptuallab.runtime.cell;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.Function;
import org.perceptuallab.api.PreparationContext;

/**
 * The plain {@link PreparationContext}: the matrix runner's, the conformance check's and the bench's.
 *
 * @param folder the entry's data folder
 * @param resolver turns a data path of the parameters into a file
 * @param log where preparation steps are logged
 */
public record Preparation(Path folder, Function<String, Path> resolver, PrintWriter log) implements PreparationContext {

    @Override
    public Path resolve(String path) {
        return resolver.apply(path);
    }
}
