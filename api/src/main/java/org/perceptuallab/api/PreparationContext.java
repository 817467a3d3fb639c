package org.perceptuallab.api;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * What an experiment gets to prepare, once, the data every cell of a matrix entry shares
 * ({@link Experiment#prepare}).
 */
public interface PreparationContext {

    /** A folder for this entry's prepared data under the results folder, kept between runs (may not exist yet). */
    Path folder();

    /** Resolves a path given in the parameters (relative to the matrix file). */
    Path resolve(String path);

    /** Where a line per preparation step goes. */
    PrintWriter log();
}
