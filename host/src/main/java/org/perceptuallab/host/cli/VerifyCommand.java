package org.perceptuallab.host.cli;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.perceptuallab.host.Terminal;
import org.perceptuallab.host.share.InstalledPlugins;
import org.perceptuallab.host.share.PluginFolders;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code plab plugins verify [ID]}. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check installed plugin jars against the sha-256 recorded when they were installed; exit 1 when"
                + " one changed or is missing.")
public final class VerifyCommand extends PlabCommand {
    @Parameters(paramLabel = "ID", arity = "0..1", description = "One plugin id (default: every installed plugin).")
    String id;

    @Override
    public Integer call() {
        InstalledPlugins index = InstalledPlugins.in(global().settings().userPluginDir());
        List<InstalledPlugins.Entry> entries = id == null ? index.entries() : List.of(index.require(id));
        int bad = 0;
        for (InstalledPlugins.Entry e : entries) {
            InstalledPlugins.Check check = index.check(e);
            String plugin = e.id() + " " + e.coordinates();
            if (check.missing()) {
                out().println(Terminal.safe("MISSING  " + plugin + ": " + check.jar() + " is gone; install it again"));
            } else if (check.changed()) {
                out().println(Terminal.safe("CHANGED  " + plugin + ": sha-256 recorded at install " + e.sha256()
                        + ", now " + check.sha256() + "; the jar was altered after it was installed: install it again"
                        + " ('plab plugins install --force " + e.coordinates() + "') or remove it"));
            } else {
                out().println(Terminal.safe("ok       " + plugin + " sha-256 " + check.sha256()));
            }
            bad += check.missing() || check.changed() ? 1 : 0;
        }
        if (id == null) {
            Set<String> recorded = entries.stream().map(InstalledPlugins.Entry::file).collect(Collectors.toSet());
            PluginFolders.jars(List.of(index.folder())).stream()
                    .filter(j -> !recorded.contains(j.path().getFileName().toString()))
                    .forEach(j -> out().println(Terminal.safe("note     " + j.path() + " was not installed by plab:"
                            + " no digest to check it against")));
        }
        out().printf("%d plugins checked, %d changed or missing%n", entries.size(), bad);
        return bad == 0 ? 0 : ExitCodes.FAILED;
    }
}
