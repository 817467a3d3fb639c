package org.perceptuallab.host.cli;

import java.util.ArrayList;
import java.util.List;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.Settings;
import org.perceptuallab.host.Terminal;

/** Base of the commands that need the runtime: opens a {@link Lab}, reports plugin warnings, closes it. */
public abstract class LabCommand extends PlabCommand {
    @Override
    public final Integer call() throws Exception {
        List<String> args = new ArrayList<>(List.of("plab"));
        args.addAll(spec.root().commandLine().getParseResult().originalArgs());
        Settings settings = settings();
        settings = settings.withThreads(Settings.atMostProcessors("--threads", settings.threads(),
                w -> err().println("note: " + w))).withCommandLine(args);
        Lab lab = new Lab(settings);
        int shown = lab.warnings().size();
        try {
            lab.warnings().forEach(w -> err().println(Terminal.safe("warning: " + w)));
            err().flush();
            return run(lab);
        } finally {
            lab.close();
            // Plugins that failed to stop.
            lab.warnings().subList(shown, lab.warnings().size())
                    .forEach(w -> err().println(Terminal.safe("warning: " + w)));
            err().flush();
        }
    }

    /** The settings the runtime starts with; a command may add its own (a matrix file's seed, say). */
    protected Settings settings() throws Exception {
        return global().settings();
    }

    /** The command's work; returns the exit code. */
    protected abstract int run(Lab lab) throws Exception;
}
