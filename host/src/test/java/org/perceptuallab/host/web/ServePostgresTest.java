package org.perceptuallab.host.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.perceptuallab.host.PlabRun;
import org.perceptuallab.host.web.RaterClient.Taste;
import org.perceptuallab.testkit.Fixtures;

/**
 * The same migrations, campaign, answers and export on PostgreSQL, in a private cluster this test starts (Debian's
 * postgresql 15, as root through runuser). Skipped, naming what is missing, where either is; CI installs
 * PostgreSQL ({@code .ci/run}) and fails here without it.
 */
class ServePostgresTest {
    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

    @Test
    void aCampaignJudgedAndExportedOnPostgresql() throws Exception {
        Fixtures.externalProgram(BIN.resolve("initdb"), "apt-get install postgresql (Debian 12's PostgreSQL 15)");
        Fixtures.externalProgram(Path.of("/usr/sbin/runuser"), "apt-get install util-linux");
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "root needed (to run PostgreSQL as"
                + " its own user through runuser)");
        // A folder the postgres user may enter (JUnit's temporary folders are root's alone).
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "plab-pg-");
        Path tmp = Files.createTempDirectory("plab-pg-test-");
        run("chown", "postgres", dir.toString());
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path data = dir.resolve("data");
        run("runuser", "-u", "postgres", "--", BIN.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust",
                "-U", "plab");
        run("runuser", "-u", "postgres", "--", BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-l",
                dir.resolve("log").toString(), "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1",
                "start");
        try {
            String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=plab";
            Path set = ServeFixtures.bappsSet(tmp.resolve("set"), 2, 8);
            Path home = tmp.resolve("home");
            ServeFixtures.Campaign campaign = ServeFixtures.createCampaign(home, set, "on-postgres", 0.2, "--db", url);
            Map<String, String> roles = ServeFixtures.rolesByContent(set);
            try (JudgingStore store = JudgingStore.open(url, home);
                 JudgingServer server = JudgingServer.start(store, "127.0.0.1", 0, JudgingServer.Limits.DEFAULT)) {
                URI base = URI.create("http://127.0.0.1:" + server.port());
                List<RaterClient.Acknowledged> first = new ArrayList<>();
                for (Taste taste : List.of(Taste.ATTENTIVE_P1, Taste.ATTENTIVE_P1)) {
                    RaterClient rater = RaterClient.join(base, campaign.invitePath(), roles, taste);
                    while (rater.answerNext(first::add)) {
                        // every trial
                    }
                    RaterClient.Acknowledged repeat = rater.answer(first.get(0).trial(), first.get(0).side());
                    assertThat(repeat.recorded()).as("a repeated answer on PostgreSQL").isFalse();
                    first.clear();
                }
            }
            Path export = tmp.resolve("export");
            PlabRun exported = PlabRun.of("serve", "campaign", "export", "--db", url, "--home", home.toString(),
                    "--name", "on-postgres", "--out", export.toString());
            assertThat(exported.exit()).as(exported.err()).isZero();
            JsonNode summary = new ObjectMapper().readTree(export.resolve(JudgingExport.SUMMARY).toFile());
            assertThat(summary.get("exported").asInt()).isEqualTo(4);
            assertThat(summary.get("triplets")).allSatisfy(t -> assertThat(t.get("raters").asInt()).isEqualTo(2));
            assertThat(summary.get("humanCeiling").asDouble()).isEqualTo(1.0);
        } finally {
            run("runuser", "-u", "postgres", "--", BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m",
                    "immediate", "stop");
            delete(dir);
            delete(tmp);
        }
    }

    private static void delete(Path tree) throws Exception {
        try (Stream<Path> files = Files.walk(tree)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
    }
}
