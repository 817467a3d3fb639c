package org.perceptuallab.host;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.perceptuallab.host.cli.Plab;
import picocli.CommandLine;

/**
 * Exit code, standard output and standard error of one plab invocation, run in process over the
 * distribution's plugin folder.
 */
public record PlabRun(int exit, String out, String err) {

    public static PlabRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Plab.commandLine(args);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new PlabRun(exit, out.toString(), err.toString());
    }
}
