package org.perceptuallab.host.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.perceptuallab.api.Experiment;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.PluginHost;
import org.perceptuallab.host.Terminal;
import org.perceptuallab.host.share.InstalledPlugins;
import org.perceptuallab.runtime.catalog.Registry;
import org.pf4j.PluginWrapper;
import picocli.CommandLine.Command;

/** {@code plab plugins list}: the same listing as {@code plab plugins}. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List loaded plugins, what each contributes, where installed ones came from, and loading problems"
                + " (exit 1 on a broken jar).")
public final class PluginsListCommand extends LabCommand {
    @Override
    protected int run(Lab lab) {
        return list(lab, out());
    }

    /**
     * The listing of {@code plab plugins} and {@code plab plugins list}; returns the exit code. Each plugin's
     * trust: signed by a trusted key, unverified, or changed since its install. Everything a jar or a record
     * says is escaped for the terminal.
     */
    public static int list(Lab lab, PrintWriter out) {
        out.println(Terminal.safe("plugin folders: " + lab.settings().pluginDirs()));
        InstalledPlugins installed = InstalledPlugins.in(lab.settings().userPluginDir());
        for (PluginWrapper w : lab.plugins().plugins()) {
            String origin = PluginHost.origin(w);
            out.println(Terminal.safe(String.format("%-24s %-16s %s", w.getPluginId(), w.getDescriptor().getVersion(),
                    w.getPluginPath())));
            out.println(Terminal.safe("    losses:      " + idsFrom(origin, lab.losses().families().entries(),
                    LossFamily::id)));
            out.println(Terminal.safe("    experiments: " + idsFrom(origin, lab.experiments().entries(),
                    Experiment::id)));
            Optional<InstalledPlugins.Entry> entry = installed.find(w.getPluginId());
            entry.ifPresent(e -> out.println(Terminal.safe("    installed:   " + e.coordinates() + " sha-256 "
                    + e.sha256() + " from " + e.repository())));
            out.println(Terminal.safe("    trust:       " + entry.map(e -> installed.check(e).trust())
                    .orElse(InstalledPlugins.UNVERIFIED + " (not installed by 'plab plugins install')")));
        }
        lab.warnings().forEach(w -> out.println(Terminal.safe("problem: " + w)));
        out.printf("%d plugins loaded, %d problems%n", lab.plugins().plugins().size(), lab.warnings().size());
        return lab.warnings().isEmpty() ? 0 : 1;
    }

    private static <T> String idsFrom(String origin, List<Registry.Entry<T>> entries, Function<T, String> id) {
        List<String> ids = entries.stream().filter(e -> e.origin().equals(origin)).map(e -> id.apply(e.extension()))
                .toList();
        return ids.isEmpty() ? "-" : String.join(", ", ids);
    }
}

