package org.perceptuallab.host.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 50 raters answering at once on loopback for about 10 seconds ({@code -Dplab.test.loadSeconds=60} for the
 * issue's minute), each as fast as the server lets it (next trial,
 * then the answer; the rate limit raised, since this measures the server): every acknowledged answer is in the
 * database, and answers per second and the 99th-percentile answer latency are printed.
 */
class ServeLoadTest {
    private static final int RATERS = 50;
    private static final long SECONDS = Long.getLong("plab.test.loadSeconds", 10);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void fiftyConcurrentRatersLoseNoAnswer(@TempDir Path tmp) throws Exception {
        Path set = ServeFixtures.bappsSet(tmp.resolve("set"), 150, 8);
        Path home = tmp.resolve("home");
        ServeFixtures.Campaign campaign = ServeFixtures.createCampaign(home, set, "load", 0.1);
        try (ServeFixtures.Server server = ServeFixtures.start(home, new JudgingServer.Limits(16 * 1024, 10_000,
                10_000))) {
            List<URI> raters = new ArrayList<>();
            for (int i = 0; i < RATERS; i++) {
                raters.add(URI.create(server.base() + "/r/" + RaterClient.join(server.base(), campaign.invitePath(),
                        Map.of(), RaterClient.Taste.ATTENTIVE_P1).token()));
            }
            ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
            AtomicInteger acknowledged = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(RATERS);
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(SECONDS);
            List<Future<?>> running = new ArrayList<>();
            for (URI rater : raters) {
                running.add(pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        JsonNode next = ok(ServeFixtures.get(URI.create(rater + "/next")));
                        if (next.get("done").asBoolean()) {
                            return null;
                        }
                        String side = ThreadLocalRandom.current().nextBoolean() ? "left" : "right";
                        long sent = System.nanoTime();
                        JsonNode answer = ok(ServeFixtures.post(URI.create(rater + "/answers"), "{\"trial\": "
                                + next.get("trial").asLong() + ", \"choice\": \"" + side + "\", \"timeMs\": 700}"));
                        latencies.add(System.nanoTime() - sent);
                        assertThat(answer.get("recorded").asBoolean()).isTrue();
                        acknowledged.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get(SECONDS + 60, TimeUnit.SECONDS);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            pool.shutdown();

            List<Long> sorted = latencies.stream().sorted().toList();
            double p99 = sorted.get((int) Math.ceil(0.99 * sorted.size()) - 1) / 1e6;
            double median = sorted.get(sorted.size() / 2) / 1e6;
            System.out.printf(Locale.ROOT, "load: %d raters, %.1f s, %d answers acknowledged, %.0f answers/s,"
                            + " answer latency median %.1f ms, p99 %.1f ms, answers lost %d%n", RATERS, seconds,
                    acknowledged.get(), acknowledged.get() / seconds, median, p99,
                    acknowledged.get() - server.store().answers(campaign.id()).size());
            assertThat(server.store().answers(campaign.id())).as("answers lost").hasSize(acknowledged.get());
            assertThat(acknowledged.get()).isGreaterThanOrEqualTo(RATERS);
        }
    }

    private static JsonNode ok(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
