package org.perceptuallab.host.share.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.perceptuallab.host.Plab;
import org.perceptuallab.host.Settings;
import org.perceptuallab.host.cli.GlobalOptions;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Base of the sharing commands that need no runtime (no plugins loaded, no engine): only the settings. */
abstract class ShareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** The shared options, held by the root command wherever on the line they were given. */
    GlobalOptions global() {
        return ((Plab) spec.root().userObject()).global();
    }

    Settings settings() {
        return global().settings();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
