package org.perceptuallab.host.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.Settings;
import org.perceptuallab.host.web.CampaignCreation;
import org.perceptuallab.host.web.JudgingExport;
import org.perceptuallab.host.web.JudgingServer;
import org.perceptuallab.host.web.JudgingStore;
import org.perceptuallab.host.web.LiveView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code plab serve}: the judging web application (human 2AFC judgements in the browser), and its campaigns'
 * creation and export.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve judging campaigns: raters open their invitation link and answer which of two images",
                "is closer to a reference. Answers are stored at once in the database (default",
                "<home>/serve/judging.db, SQLite). Given results folders of 'plab matrix', also serve their live",
                "view at /live: progress, overview, curves and images, updated as cells finish. Stop with Ctrl-C."},
        subcommands = {ServeCommand.CampaignCommand.class})
public final class ServeCommand extends PlabCommand {
    /** The port plab serve listens on unless told. */
    static final int DEFAULT_PORT = 7070;

    @Mixin
    DatabaseOption database = new DatabaseOption();

    @Parameters(paramLabel = "RESULTS", arity = "0..*",
            description = "Results folders of 'plab matrix' (shards writing into them included) to show live.")
    List<Path> results = List.of();

    @Option(names = "--port", paramLabel = "P", description = "Port (0: any free one; default: ${DEFAULT-VALUE}).")
    int port = DEFAULT_PORT;

    @Option(names = "--bind", paramLabel = "ADDRESS",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 serves other machines).")
    String bind = "127.0.0.1";

    @Option(names = "--rate-limit", paramLabel = "N",
            description = "Requests per second each rater or lead token may make, bursts of 3N (default:"
                    + " ${DEFAULT-VALUE}; the page makes 5 per answer).")
    int rateLimit = (int) JudgingServer.Limits.DEFAULT.requestsPerSecond();

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65_535) {
            throw new PlabException("--port " + port + ": give a port from 1 to 65535, or 0 for any free one");
        }
        if (rateLimit < 1) {
            throw new PlabException("--rate-limit " + rateLimit + ": give at least 1 request per second");
        }
        Settings settings = global().settings();
        Lab.configureEngine(settings); // the export route writes .npy files through the engine
        LiveView live = results.isEmpty() ? null : LiveView.of(results);
        JudgingStore store = database.open(settings);
        JudgingServer server;
        try {
            server = JudgingServer.start(store, bind, port, new JudgingServer.Limits(
                    JudgingServer.Limits.DEFAULT.maxBodyBytes(), rateLimit, 3 * rateLimit), live);
        } catch (RuntimeException e) {
            store.close();
            if (live != null) {
                live.close();
            }
            throw new PlabException("cannot listen on " + bind + ":" + port + ": " + e.getMessage()
                    + "; give another --port or --bind", e);
        }
        // Ctrl-C or a kill: the hook lets this thread close the server and the database, and waits for that.
        CountDownLatch stopping = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.countDown();
            try {
                closed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }));
        out().println("plab serve: listening on http://" + bind + ":" + server.port() + " (database "
                + store.url() + ")");
        if (live != null) {
            out().println("live view of " + results.size() + " results folder(s): http://" + bind + ":" + server.port()
                    + "/live");
        }
        out().flush();
        try {
            stopping.await();
        } finally {
            server.close();
            store.close();
            if (live != null) {
                live.close();
            }
            closed.countDown();
        }
        return 0;
    }

    /** {@code --db}: the judging database, shared by serve and its campaign commands. */
    static final class DatabaseOption {
        @Option(names = "--db", paramLabel = "JDBC_URL",
                description = "The judging database (default: jdbc:sqlite:<home>/serve/judging.db; PostgreSQL:"
                        + " jdbc:postgresql://HOST/DB?user=U&password=P).")
        String url;

        JudgingStore open(Settings settings) {
            return JudgingStore.open(url != null ? url : JudgingStore.defaultUrl(settings.home()), settings.home());
        }
    }

    /** {@code plab serve campaign}: make and export campaigns. */
    @Command(name = "campaign", mixinStandardHelpOptions = true, description = "Create or export a judging campaign.",
            subcommands = {CreateCommand.class, ExportCommand.class})
    static final class CampaignCommand extends PlabCommand {
        @Override
        public Integer call() {
            spec.commandLine().usage(out());
            return ExitCodes.BAD_INPUT;
        }
    }

    /** {@code plab serve campaign create}: a campaign from a BAPPS-layout folder. */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create a campaign from a BAPPS-layout folder (<root>/<category>/{ref,p0,p1}/NAME.png, as",
                    "'plab make-2afc' writes); its images are copied into <home>/serve/images. Prints the lead's",
                    "admin token and the raters' invitation link, once."})
    static final class CreateCommand extends PlabCommand {
        @Mixin
        DatabaseOption database = new DatabaseOption();

        @Option(names = "--from", required = true, paramLabel = "DIR", description = "The BAPPS-layout set.")
        Path from;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "The campaign's name.")
        String name;

        @Option(names = "--catch-fraction", paramLabel = "SHARE",
                description = "Share of all trials that are catch trials (default: ${DEFAULT-VALUE}).")
        double catchFraction = 0.1;

        @Option(names = "--url", paramLabel = "URL",
                description = "The address raters reach plab serve at, for the link (default: ${DEFAULT-VALUE}).")
        String url = "http://127.0.0.1:" + DEFAULT_PORT;

        @Override
        public Integer call() {
            try (JudgingStore store = database.open(global().settings())) {
                CampaignCreation.Created created = CampaignCreation.create(store, from, name, catchFraction,
                        global().seed());
                out().printf("campaign '%s' (id %d): %d triplets and %d catch trials from %s%n",
                        created.campaign().name(), created.campaign().id(), created.triplets(), created.catchTrials(),
                        created.campaign().source());
                out().println("admin token (shown once; needed for the admin routes): " + created.adminToken());
                out().println("rater invitation link: " + url.replaceAll("/+$", "") + "/join/" + created.inviteToken());
                return 0;
            }
        }
    }

    /** {@code plab serve campaign export}: the answers as a BAPPS-layout set with a summary. */
    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Export a campaign's answers in the BAPPS layout (judge/*.npy: the fraction of raters",
                    "preferring p1), with judging-summary.json: rater counts, agreement, human ceiling, raters left",
                    "out for failed catch trials."})
    static final class ExportCommand extends PlabCommand {
        @Mixin
        DatabaseOption database = new DatabaseOption();

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "The campaign's name.")
        String name;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "A new or empty folder.")
        Path out;

        @Option(names = "--max-catch-failures", paramLabel = "SHARE",
                description = "Leave out raters failing more than this share of their catch trials (default:"
                        + " ${DEFAULT-VALUE}).")
        double maxCatchFailures = JudgingExport.DEFAULT_MAX_CATCH_FAILURES;

        @Override
        public Integer call() {
            Settings settings = global().settings();
            Lab.configureEngine(settings);
            try (JudgingStore store = database.open(settings)) {
                JudgingStore.Campaign campaign = store.campaignNamed(name).orElseThrow(() -> new PlabException(
                        "no campaign named '" + name + "' in " + store.url() + "; check --name (and --db, --home)"));
                ObjectNode summary = JudgingExport.write(store, campaign, out, maxCatchFailures);
                out().printf("exported %d triplets (%d unanswered left out); raters counted %d, excluded %d;"
                                + " human ceiling %s, agreement %s%n", summary.get("exported").asInt(),
                        summary.get("unanswered").size(), summary.get("ratersCounted").asInt(),
                        summary.get("ratersExcluded").asInt(), figure(summary.get("humanCeiling")),
                        figure(summary.get("agreement")));
                out().println(out.toAbsolutePath().normalize());
                return 0;
            }
        }

        private static String figure(JsonNode value) {
            return value.isNull() ? "n/a (too few answers)" : String.format(Locale.ROOT, "%.3f", value.asDouble());
        }
    }
}
