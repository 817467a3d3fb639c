package org.perceptuallab.host.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.Terminal;
import org.perceptuallab.host.share.InstalledPlugins;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code plab plugins remove ID}. */
@Command(name = "remove", mixinStandardHelpOptions = true,
        description = "Remove a plugin that 'plab plugins install' installed (its jar and its record).")
public final class RemoveCommand extends PlabCommand {
    @Parameters(paramLabel = "ID", description = "The plugin id (see 'plab plugins list').")
    String id;

    @Override
    public Integer call() {
        InstalledPlugins index = InstalledPlugins.in(global().settings().userPluginDir());
        InstalledPlugins.Entry entry = index.require(id);
        Path jar = index.jar(entry);
        try {
            Files.deleteIfExists(jar);
        } catch (IOException e) {
            throw new PlabException("cannot delete " + jar + ": " + e.getMessage(), e);
        }
        index.remove(id);
        out().println(Terminal.safe("removed plugin '" + id + "' " + entry.coordinates() + " (" + jar + ")"));
        return 0;
    }
}
