/**
 * The command line, the top of the host: {@link org.perceptuallab.host.cli.Plab} and every built-in command
 * (losses, distances, runs, matrices, reports, and the sharing commands {@code plab plugins ...},
 * {@code plab trust}, {@code plab reproduce}). Commands parse and validate what the user typed and hand typed
 * values to the packages below; nothing below imports this package.
 */
package org.perceptuallab.host.cli;
