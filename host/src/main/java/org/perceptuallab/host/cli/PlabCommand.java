package org.perceptuallab.host.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Base of every plab command: the shared options and the command line's output streams. */
public abstract class PlabCommand implements Callable<Integer> {
    @Spec
    protected CommandSpec spec;

    /** The shared options, held by the root command wherever on the line they were given. */
    protected GlobalOptions global() {
        return (GlobalOptions) spec.root().mixins().get(GlobalOptions.MIXIN).userObject();
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
