package org.perceptuallab.api;

import java.io.PrintWriter;
import java.util.List;
import org.pf4j.ExtensionPoint;

/**
 * A subcommand a plugin adds to {@code plab} (for example the 2AFC plugin's {@code make-2afc}), contributed
 * as a PF4J {@code @Extension}. The host lists it in {@code plab --help} and runs it as
 * {@code plab NAME ARGS...}; the plugin reads its own arguments, {@code --help} included.
 */
public interface PluginCommand extends ExtensionPoint {

    /** The subcommand's name, kebab-case, unique among plab's commands. */
    String name();

    /** One line for {@code plab --help}. */
    String summary();

    /** What {@code plab NAME --help} prints: the arguments and what the command does. */
    String usage();

    /** What a command gets from the host. */
    interface Context {
        /** Where results and the usage go. */
        PrintWriter out();

        /** Where progress and warnings go. */
        PrintWriter err();

        /** The shared {@code --seed}. */
        long seed();
    }

    /**
     * Runs the command with the arguments after its name.
     *
     * @return the exit code: 0 for success, 1 for a failed check
     * @throws PlabException for bad arguments or input (exit 2, the message shown without a stack trace)
     */
    int run(List<String> args, Context context) throws Exception;
}
