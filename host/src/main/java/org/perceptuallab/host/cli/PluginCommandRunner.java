package org.perceptuallab.host.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.PluginCommand;
import org.perceptuallab.host.Lab;
import org.perceptuallab.runtime.catalog.PluginFailure;
import org.perceptuallab.runtime.catalog.Registry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * Runs a subcommand a plugin contributes ({@link PluginCommand}): the plugin gets every argument after
 * the command's name, the shared options (--seed, --plugins-dir, ...) stay the host's.
 */
@Command(description = "A command contributed by a plugin.")
public final class PluginCommandRunner extends LabCommand {
    private final String name;

    @Unmatched
    List<String> args = new ArrayList<>();

    public PluginCommandRunner(String name) {
        this.name = name;
    }

    @Override
    protected int run(Lab lab) throws Exception {
        Registry.Entry<PluginCommand> entry = lab.commands().require(name);
        PluginCommand.Context context = new PluginCommand.Context() {
            @Override
            public PrintWriter out() {
                return PluginCommandRunner.this.out();
            }

            @Override
            public PrintWriter err() {
                return PluginCommandRunner.this.err();
            }

            @Override
            public long seed() {
                return lab.settings().seed();
            }
        };
        try {
            return entry.extension().run(List.copyOf(args), context);
        } catch (PlabException e) {
            throw e;
        } catch (Exception | LinkageError | AssertionError e) {
            // Anything but an actionable PlabException is the plugin's fault, named with its jar.
            throw PluginFailure.of("command '" + name + "'", entry.extension().getClass(), entry.origin(), e, null);
        } finally {
            out().flush();
            err().flush();
        }
    }
}
