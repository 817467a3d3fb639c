package org.perceptuallab.host.share.cli;

import org.perceptuallab.host.Lab;
import org.perceptuallab.host.cli.LabCommand;
import org.perceptuallab.host.cli.PluginsCommand;
import picocli.CommandLine.Command;

/** {@code plab plugins list}: the same listing as {@code plab plugins}. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List loaded plugins, what each contributes, where installed ones came from, and loading problems"
                + " (exit 1 on a broken jar).")
public final class PluginsListCommand extends LabCommand {
    @Override
    protected int run(Lab lab) {
        return PluginsCommand.list(lab, out());
    }
}
