package org.perceptuallab.host.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.perceptuallab.host.PlabRun;
import org.perceptuallab.kit.io.SyntheticImages;

/** A small BAPPS set, campaigns made by the CLI as a lead makes them, and servers on ephemeral ports. */
final class ServeFixtures {
    private static final Pattern LISTENING = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)");
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    /** A campaign as {@code plab serve campaign create} printed it. */
    record Campaign(long id, String adminToken, String invitePath, int triplets, int catchTrials) {
    }

    /** An in-process server on its own database. */
    record Server(JudgingStore store, JudgingServer server, URI base) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
            store.close();
        }
    }

    private ServeFixtures() {
    }

    /**
     * Writes {@code perCategory} triplets into each of two categories: a synthetic reference and two other
     * synthetic images as p0 and p1 (all distinct, so a test can tell which is shown from its bytes).
     */
    static Path bappsSet(Path root, int perCategory, int size) {
        long seed = 1;
        for (String category : new String[] {"waves", "stripes"}) {
            for (int i = 0; i < perCategory; i++) {
                String png = String.format(Locale.ROOT, "%06d.png", i);
                for (String role : new String[] {"ref", "p0", "p1"}) {
                    SyntheticImages.write(root.resolve(category).resolve(role).resolve(png), size, seed++);
                }
            }
        }
        return root;
    }

    /** The roles of a set's images by their content: "ref", "p0" or "p1". */
    static Map<String, String> rolesByContent(Path set) throws IOException {
        Map<String, String> out = new HashMap<>();
        try (Stream<Path> files = Files.walk(set)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".png")).toList()) {
                out.put(digest(Files.readAllBytes(f)), f.getParent().getFileName().toString());
            }
        }
        return out;
    }

    static String digest(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Makes the campaign with {@code plab serve campaign create}; {@code options} are added (a --db, say). */
    static Campaign createCampaign(Path home, Path set, String name, double catchFraction, String... options) {
        List<String> args = new ArrayList<>(List.of("serve", "campaign", "create", "--home", home.toString(), "--from",
                set.toString(), "--name", name, "--catch-fraction", Double.toString(catchFraction)));
        args.addAll(List.of(options));
        PlabRun run = PlabRun.of(args.toArray(String[]::new));
        assertThat(run.exit()).as(run.err()).isZero();
        Matcher id = Pattern.compile("\\(id (\\d+)\\): (\\d+) triplets and (\\d+) catch trials").matcher(run.out());
        Matcher admin = Pattern.compile("admin token .*: ([0-9a-f]{32})").matcher(run.out());
        Matcher invite = Pattern.compile("rater invitation link: http://[^/]+(/join/[0-9a-f]{32})").matcher(run.out());
        assertThat(id.find() && admin.find() && invite.find()).as(run.out()).isTrue();
        return new Campaign(Long.parseLong(id.group(1)), admin.group(1), invite.group(1), Integer.parseInt(id.group(2)),
                Integer.parseInt(id.group(3)));
    }

    static Server start(Path home, JudgingServer.Limits limits) {
        JudgingStore store = JudgingStore.open(JudgingStore.defaultUrl(home), home);
        JudgingServer server = JudgingServer.start(store, "127.0.0.1", 0, limits);
        return new Server(store, server, URI.create("http://127.0.0.1:" + server.port()));
    }

    static HttpResponse<String> get(URI uri, String... headers) {
        return send(HttpRequest.newBuilder(uri).GET(), headers);
    }

    static HttpResponse<String> post(URI uri, String body, String... headers) {
        return send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json"), headers);
    }

    static HttpResponse<String> send(HttpRequest.Builder request, String... headers) {
        if (headers.length > 0) {
            request.headers(headers);
        }
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String bearer(String token) {
        return "Bearer " + token;
    }

    /**
     * {@code plab serve} in a child process on {@code port} (0: any), with the live view of {@code results}; its rate
     * limit raised, since test raters answer at the machine's pace.
     */
    static Process serveProcess(Path home, int port, Path log, String... results) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true",
                "org.perceptuallab.host.cli.Plab", "serve", "--port", Integer.toString(port), "--home", home.toString(),
                "--rate-limit", "1000"));
        command.addAll(List.of(results));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static URI awaitListening(Process child, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(Files.readString(log));
            if (m.find()) {
                return URI.create(m.group(1));
            }
            assertThat(child.isAlive()).as(Files.readString(log)).isTrue();
            Thread.sleep(50);
        }
        throw new AssertionError("plab serve did not start within 60 s:\n" + Files.readString(log));
    }
}
