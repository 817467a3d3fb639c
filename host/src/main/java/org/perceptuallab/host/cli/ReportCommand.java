package org.perceptuallab.host.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.perceptuallab.host.matrix.ResultsFolder;
import org.perceptuallab.host.report.ReportModel;
import org.perceptuallab.host.report.ResultFiles;
import org.perceptuallab.host.run.CellOutcome.Status;
import org.perceptuallab.host.run.CellOutcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code plab report DIR}: the tables and report of a results folder, shards merged. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Merge whatever cells a results folder holds (every shard of a matrix writes into one) into",
                "results.json, results.csv and report.html; cells not yet run are marked missing, cells a process",
                "is running (or was, when killed) running. Safe to run while shards are still writing."})
public final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "The results folder (plab matrix --out).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        ResultsFolder.View view = ResultsFolder.read(dir);
        Path report = ResultFiles.write(dir, view.matrix(), view.cells(), view.notes(), view.experimentNotes(),
                w -> spec.commandLine().getErr().println("warning: " + w));
        List<CellOutcome> cells = view.cells();
        spec.commandLine().getOut().printf("%d cells: %d done, %d failed, %d running, %d missing%n", cells.size(),
                ReportModel.count(cells, Status.done), ReportModel.count(cells, Status.failed), ReportModel.count(cells, Status.running),
                ReportModel.count(cells, Status.missing));
        spec.commandLine().getOut().println(report.toAbsolutePath().normalize());
        return 0;
    }
}
