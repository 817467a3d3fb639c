package org.perceptuallab.host.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.Plab;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Base of the commands that need the runtime: opens a {@link Lab}, reports plugin warnings, closes it. */
public abstract class LabCommand implements Callable<Integer> {
    @Spec
    protected CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        List<String> args = new ArrayList<>(List.of("plab"));
        args.addAll(spec.root().commandLine().getParseResult().originalArgs());
        Lab lab = new Lab(settings().commandLine(args));
        int shown = lab.warnings().size();
        try {
            lab.warnings().forEach(w -> err().println("warning: " + w));
            err().flush();
            return run(lab);
        } finally {
            lab.close();
            // Plugins that failed to stop.
            lab.warnings().subList(shown, lab.warnings().size()).forEach(w -> err().println("warning: " + w));
            err().flush();
        }
    }

    /** The shared options, held by the root command wherever on the line they were given. */
    protected GlobalOptions global() {
        return ((Plab) spec.root().userObject()).global();
    }

    /** The settings the runtime starts with; a command may add its own (a matrix file's seed, say). */
    protected org.perceptuallab.host.Settings settings() throws Exception {
        return global().settings();
    }

    /** The command's work; returns the exit code. */
    protected abstract int run(Lab lab) throws Exception;

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
