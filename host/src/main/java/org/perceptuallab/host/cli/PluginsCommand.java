package org.perceptuallab.host.cli;

import org.perceptuallab.host.Lab;
import picocli.CommandLine.Command;

/**
 * {@code plab plugins}: the loaded plugins, what each contributes, and every loading problem; its subcommands
 * install, update, verify, remove, publish and sync plugins.
 */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = "List loaded plugins (id, version, jar, contributed losses and experiments) and loading"
                + " problems. Exit 1 when a jar in a plugin folder could not be loaded: a check for a lab's"
                + " shared plugin folder.",
        subcommands = {PluginsListCommand.class, InstallCommand.class, RemoveCommand.class, UpdateCommand.class,
                VerifyCommand.class, PublishCommand.class, SyncCommand.class})
public final class PluginsCommand extends LabCommand {

    @Override
    protected int run(Lab lab) {
        return PluginsListCommand.list(lab, out());
    }
}
