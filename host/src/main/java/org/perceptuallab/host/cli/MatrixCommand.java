package org.perceptuallab.host.cli;

import java.nio.file.Path;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.Settings;
import org.perceptuallab.host.matrix.MatrixRunner;
import org.perceptuallab.host.matrix.MatrixSpec;
import org.perceptuallab.host.run.RunConfiguration;
import org.perceptuallab.host.run.Shard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code plab matrix FILE}: every (experiment, loss) cell of a matrix file, resumable, with a report. */
@Command(name = "matrix", mixinStandardHelpOptions = true,
        description = {"Run every (experiment, loss) cell of a matrix file (YAML or JSON) and write results.json,",
                "results.csv and report.html. Each cell's result is stored when it ends: run the same command",
                "again after an interruption and finished cells are kept."})
public final class MatrixCommand extends LabCommand {
    @Parameters(index = "0", paramLabel = "FILE", description = "The matrix file (.yaml, .yml or .json).")
    Path file;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Output folder (default: the file's 'output', else plab-output/NAME; both inside the working"
                    + " folder).")
    Path out;

    @Option(names = "--retry-failed", description = "Run cells that failed before again.")
    boolean retryFailed;

    @Option(names = "--shard", paramLabel = "K/N|auto", description = {"Run only shard K of N (from 0) of the cells,"
            + " balanced by estimated cost, into one shared --out folder; 'auto' reads the index from a Slurm array"
            + " (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX,"
            + " PLAB_SHARD_COUNT). Then 'plab report DIR' merges the shards."})
    String shard;

    @Option(names = "--jobs", paramLabel = "N", description = {"Cells at once, each in a worker process with 1/N of"
            + " the threads (--threads, else the cores); 1: one after another in this process. Default: one per core"
            + " up to 4 cores, then one per 2 cores (here ${DEFAULT-VALUE})."})
    int jobs = RunConfiguration.defaultJobs(Runtime.getRuntime().availableProcessors());

    @Option(names = "--no-cache", description = {"Every cell decodes its own images instead of sharing the results"
            + " folder's cache/ (the figures are the same; for checking that, or to save disk)."})
    boolean noCache;

    private MatrixSpec matrix;

    @Override
    protected Settings settings() throws Exception {
        matrix = MatrixSpec.read(file);
        Settings s = global().settings();
        if (matrix.seed() != null && !given("--seed")) {
            s = s.withSeed(matrix.seed());
        }
        if (matrix.device() != null && !given("--device")) {
            s = s.withDevice(matrix.device());
        }
        return s;
    }

    /** Whether the command line gave this shared option, before or after the subcommand. */
    private boolean given(String option) {
        return spec.root().commandLine().getParseResult().hasMatchedOption(option)
                || spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    @Override
    protected int run(Lab lab) throws Exception {
        Path output = out != null ? out : matrix.output();
        Shard part = shard == null ? Shard.ALL : Shard.parse(shard, System.getenv());
        RunConfiguration config = RunConfiguration.of(lab.settings(), output).withShard(part).withRetryFailed(retryFailed)
                .withJobs(Settings.atMostProcessors("--jobs", jobs, w -> err().println("note: " + w)));
        MatrixRunner.Result outcome = new MatrixRunner(lab, err()).run(matrix, noCache ? config.withCacheFolder(null)
                : config);
        out().printf("%s%d cells done, %d failed; %d of these results kept from an earlier run%n",
                part.count() > 1 ? "shard " + part + ": " : "", outcome.done(), outcome.failed(), outcome.skipped());
        out().println(outcome.report().toAbsolutePath().normalize());
        return outcome.failed() > 0 ? ExitCodes.FAILED : 0;
    }
}
