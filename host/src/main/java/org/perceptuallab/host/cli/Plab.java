package org.perceptuallab.host.cli;

import java.nio.file.FileSystemException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.PluginCommand;
import org.perceptuallab.host.ExitGuard;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.PluginHost;
import org.perceptuallab.host.Settings;
import org.perceptuallab.host.Terminal;
import org.perceptuallab.host.io.JsonFiles;
import org.perceptuallab.runtime.catalog.PluginFailure;
import org.perceptuallab.runtime.catalog.Registry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** The {@code plab} command line. */
@Command(name = "plab", mixinStandardHelpOptions = true, versionProvider = Plab.Version.class,
        description = "Perceptual Lab: measure and compare perceptual losses across vision experiments.",
        subcommands = {LossesCommand.class, CheckCommand.class, DistanceCommand.class, FidCommand.class,
                GoldenCommand.class, BenchCommand.class, ExperimentsCommand.class, RunCommand.class, MatrixCommand.class,
                PluginsCommand.class, ReportCommand.class, TrustCommand.class, ReproduceCommand.class, ServeCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:a check failed (golden case, matrix cell) or an internal error",
                "2:bad usage or bad input (the message says what to fix)"})
public final class Plab implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin(name = GlobalOptions.MIXIN)
    GlobalOptions global = new GlobalOptions();

    /** The options every command shares (given before or after the subcommand). */
    public GlobalOptions global() {
        return global;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /**
     * The command line for these arguments: the built-in commands, and, where the arguments name no
     * built-in command (or ask for the overall help), the commands of the plugins in the default plugin
     * folders (the distribution's, the user's, PLAB_PLUGINS_DIR).
     */
    public static CommandLine commandLine(String... args) {
        CommandLine cl = commandLine();
        String first = java.util.Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse(null);
        if (first == null || !cl.getSubcommands().containsKey(first)) {
            addPluginCommands(cl);
        }
        return cl;
    }

    /** Each plugin command as a subcommand, listed with its summary; its own --help prints its usage. */
    private static void addPluginCommands(CommandLine cl) {
        Registry<PluginCommand> found = new Registry<>("command", PluginCommand::name);
        Map<String, String> summaries = new LinkedHashMap<>();
        try (PluginHost host = new PluginHost(Settings.fromEnvironment().pluginDirs())) {
            host.collectCommands(found);
            found.entries().forEach(e -> summaries.put(e.extension().name(), e.extension().summary()));
        } catch (RuntimeException unreadable) {
            return; // the command itself reports plugin problems when it loads the lab
        }
        summaries.forEach((name, summary) -> {
            if (!cl.getSubcommands().containsKey(name)) {
                CommandLine sub = new CommandLine(new PluginCommandRunner(name));
                sub.getCommandSpec().usageMessage().description(summary);
                cl.addSubcommand(name, sub);
            }
        });
    }

    /** The built-in commands only (tests call this and set out/err). */
    public static CommandLine commandLine() {
        Plab root = new Plab();
        CommandLine cl = new CommandLine(root);
        // A plugin's fault is a failed check of that plugin (1); a PlabException is the user's input (2).
        CommandLine.IExitCodeExceptionMapper exitCodes = thrown -> thrown instanceof PluginFailure ? ExitCodes.FAILED
                : thrown instanceof PlabException ? ExitCodes.BAD_INPUT : ExitCodes.FAILED;
        cl.setExitCodeExceptionMapper(exitCodes);
        cl.setExecutionExceptionHandler((thrown, line, parsed) -> {
            Exception ex = machineState(thrown);
            boolean verbose = root.global.verbose();
            // Messages name ids, versions and paths from plugins and files: escaped, never raw to the terminal.
            line.getErr().println("plab: " + Terminal.safe(ex instanceof PlabException ? ex.getMessage()
                    : "internal error: " + ex + (verbose ? "" : " (--verbose prints the stack trace)")));
            if (verbose) {
                ex.printStackTrace(line.getErr());
            }
            // The root's mapping, also for commands added after it (the plugins' commands).
            return exitCodes.getExitCode(ex);
        });
        return cl;
    }

    /**
     * A file the machine refused (a full disk, no permission, a missing folder) as bad input naming it: the
     * state of the machine, not a bug of plab; anything else as it is.
     */
    static Exception machineState(Exception ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof PlabException) {
                return ex;
            }
            if (t instanceof FileSystemException f) {
                return new PlabException("cannot use " + f.getFile() + (f.getOtherFile() == null ? ""
                        : " or " + f.getOtherFile()) + ": " + (f.getReason() != null ? f.getReason()
                        : f.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT)
                        .replace(" exception", "")) + JsonFiles.fullDiskAdvice(f), ex);
            }
            if (!JsonFiles.fullDiskAdvice(t).isEmpty()) {
                return new PlabException(t.getMessage() + JsonFiles.fullDiskAdvice(t), ex);
            }
        }
        return ex;
    }

    public static void main(String[] args) {
        // A plugin that ends the process by a route the guard cannot rewrite still fails the command.
        ExitGuard.onPluginExit(why -> {
            System.err.println("plab: " + why);
            Runtime.getRuntime().halt(ExitCodes.FAILED);
        });
        System.exit(commandLine(args).execute(args));
    }

    /** The version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"plab " + Lab.VERSION};
        }
    }
}
