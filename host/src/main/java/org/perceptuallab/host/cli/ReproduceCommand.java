package org.perceptuallab.host.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.Settings;
import org.perceptuallab.host.Terminal;
import org.perceptuallab.host.matrix.MatrixSpec;
import org.perceptuallab.host.provenance.LoadedPlugins;
import org.perceptuallab.host.provenance.PluginJar;
import org.perceptuallab.host.run.CellOutcome;
import org.perceptuallab.host.share.Installer;
import org.perceptuallab.host.share.PluginFolders;
import org.perceptuallab.host.share.Reproduction;
import org.perceptuallab.host.share.SharingSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code plab reproduce RESULTS.json}: rerun another lab's cells with their plugins, parameters and seed. */
@Command(name = "reproduce", mixinStandardHelpOptions = true,
        description = {"Rerun cells of a results.json (another lab's, say) with the recorded parameters, loss, seed and"
                + " data folder, after installing the plugin jars its provenance names (asking first), and print per"
                + " cell and metric the recorded value, the new one and the difference.",
                "Exit 1 when a metric differs beyond the tolerance (timings are shown, not judged) or a cell fails."})
public final class ReproduceCommand extends LabCommand {
    @Parameters(paramLabel = "RESULTS", description = "A results.json, or the folder holding it.")
    Path results;

    @Option(names = "--cells", paramLabel = "PATTERN", description = {"Only cells whose EXPERIMENT/LOSS matches one of"
            + " these comma-separated globs, e.g. 'image-mean*/*,*/charbonnier' (default: every finished cell)."})
    String cells;

    @Option(names = "--tolerance", paramLabel = "T", description = {"Largest accepted |new - recorded| / max(1,"
            + " |recorded|) (default: ${DEFAULT-VALUE}; libtorch's CPU kernels round differently from run to run)."})
    double tolerance = 1e-5;

    @Option(names = "--yes", description = "Install the plugins the results need without asking.")
    boolean yes;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the rerun cells go (default: plab-output/NAME-reproduced).")
    Path out;

    @Option(names = "--base", paramLabel = "DIR", description = {"The folder the cells' data paths are relative to"
            + " (default: the matrix file's folder recorded in each cell; give it where the data lives elsewhere)."})
    Path base;

    @Mixin
    RepositoryOptions repositories = new RepositoryOptions();

    private Reproduction reproduction;
    private List<CellOutcome.Done> chosen;
    private Path output;

    /** The cells to rerun, and the plugins they need installed before the runtime loads plugins. */
    @Override
    protected Settings settings() throws IOException {
        reproduction = Reproduction.read(results);
        // Before anything is read further or installed: a results file whose name leads out of plab-output is
        // refused first.
        output = out != null ? out : reproduction.defaultOutput();
        chosen = reproduction.cells(cells);
        Settings settings = global().settings();
        installPlugins(settings, Reproduction.pins(chosen));
        return settings;
    }

    @Override
    protected int run(Lab lab) throws IOException {
        List<Reproduction.Figure> figures = reproduction.rerun(lab, chosen, output, base, err());
        int width = figures.stream().mapToInt(f -> Terminal.safe(f.cell()).length()).max().orElse(4);
        out().printf(Locale.ROOT, "%-" + width + "s  %-24s %16s %16s %12s%n", "cell", "metric", "recorded", "new",
                "difference");
        long beyond = 0;
        for (Reproduction.Figure f : figures) {
            boolean agrees = f.agrees(tolerance);
            beyond += agrees ? 0 : 1;
            out().printf(Locale.ROOT, "%-" + width + "s  %-24s %16s %16s %12s%s%n", Terminal.safe(f.cell()),
                    Terminal.safe(f.metric()), show(f.recorded()), show(f.fresh()), Double.isNaN(f.difference()) ? "-"
                            : String.format(Locale.ROOT, "%.3g", f.difference()),
                    f.timing() ? "  (timing)" : agrees ? "" : "  BEYOND TOLERANCE");
        }
        out().printf(Locale.ROOT, "%d cells rerun, %d metrics compared, %d beyond the tolerance %g; rerun cells in %s%n",
                chosen.size(), figures.stream().filter(f -> !f.timing()).count(), beyond, tolerance,
                output.toAbsolutePath().normalize());
        return beyond == 0 ? 0 : ExitCodes.FAILED;
    }

    /**
     * Installs the jars the cells ran with that no plugin folder holds with that digest, after asking. A jar
     * of the same plugin in a folder plab does not manage (the distribution's: another build of plab) cannot
     * be replaced: that is a warning, and the cells run with it.
     */
    private void installPlugins(Settings settings, Set<MatrixSpec.PinnedPlugin> pins) throws IOException {
        List<PluginJar> present = PluginFolders.jars(settings.pluginDirs());
        Path own = settings.userPluginDir().toAbsolutePath().normalize();
        List<MatrixSpec.PinnedPlugin> missing = new ArrayList<>();
        for (MatrixSpec.PinnedPlugin pin : pins) {
            if (PluginFolders.holds(present, pin.coordinates(), pin.sha256())) {
                continue;
            }
            Optional<PluginJar> fixed = LoadedPlugins.find(pin.coordinates(), present.stream()
                    .filter(j -> !j.path().toAbsolutePath().getParent().normalize().equals(own)).toList());
            if (fixed.isPresent()) {
                err().println(Terminal.safe("warning: the results ran with " + pin.coordinates() + " (sha-256 "
                        + pin.sha256() + "); this plab has " + fixed.get().coordinates().orElseThrow() + " (sha-256 "
                        + fixed.get().sha256() + ") in " + fixed.get().path().getParent()
                        + ", which plab does not replace: its figures may differ"));
            } else {
                missing.add(pin);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        out().println("The results were made with plugin jars not installed here:");
        missing.forEach(p -> out().println(Terminal.safe("  " + p.coordinates() + "  sha-256 " + p.sha256())));
        if (!yes) {
            out().print("Install them into " + settings.userPluginDir() + "? [y/N] ");
            out().flush();
            String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (answer == null || !answer.trim().toLowerCase(Locale.ROOT).startsWith("y")) {
                throw new PlabException("nothing installed and nothing rerun: the results need those plugins (rerun"
                        + " with --yes to install them without asking)");
            }
        }
        SharingSettings sharing = repositories.load(settings.home());
        SyncCommand.installPins(settings, sharing, missing, new Installer(settings, sharing, out()));
    }

    private static String show(Double value) {
        return value == null ? "-" : String.format(Locale.ROOT, "%.6g", value);
    }
}
