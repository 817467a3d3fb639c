/**
 * The plab application: the command line ({@link org.perceptuallab.host.cli.Plab}), the runtime that wires the
 * tensor backend and the installed plugins ({@link org.perceptuallab.host.Lab}), plugin discovery
 * ({@link org.perceptuallab.host.PluginHost}), golden checks and benchmarks.
 */
package org.perceptuallab.host;
