package org.perceptuallab.host.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The live view's state and files over HTTP: what a cell writes shows, nothing outside the folder is served. */
class LiveViewTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theStateFollowsCellsAsTheyAreWrittenAndTheVersionMovesWithoutARequest(@TempDir Path tmp) throws Exception {
        LiveStudy study = new LiveStudy(tmp.resolve("results"));
        study.done("l2", 0.2, 1);
        study.running("vgg", 30);
        try (Served served = Served.of(tmp, study.root)) {
            JsonNode before = served.state();
            JsonNode progress = before.at("/studies/0/progress/0");
            assertThat(progress.get("done").asInt()).isEqualTo(1);
            assertThat(progress.get("running").asInt()).isEqualTo(1);
            assertThat(progress.get("missing").asInt()).isEqualTo(1);
            JsonNode vgg = before.at("/studies/0/cells/1");
            assertThat(vgg.get("name").asText()).isEqualTo("vgg");
            assertThat(vgg.at("/series/loss/count").asInt()).as("the streamed points so far").isEqualTo(30);
            assertThat(vgg.at("/series/loss/values/29").asDouble()).isEqualTo(1.0 / 30);

            study.stream("vgg", 30, 1200);
            study.done("vgg", 0.1, 2);
            study.failed("ssim", "out of memory at step 7");
            long deadline = System.nanoTime() + 15_000_000_000L;
            JsonNode after = served.state();
            while (after.get("version").asLong() == before.get("version").asLong() && System.nanoTime() < deadline) {
                Thread.sleep(50);
                after = served.state();
            }
            assertThat(after.at("/studies/0/progress/0/done").asInt()).isEqualTo(2);
            assertThat(after.at("/studies/0/model/failures/0/error").asText()).isEqualTo("out of memory at step 7");
            assertThat(after.at("/studies/0/model/overview/rows/0/loss").asText()).as("lower distance ranks first")
                    .isEqualTo("vgg");
            JsonNode series = after.at("/studies/0/cells/1/series/loss");
            assertThat(series.get("count").asInt()).isEqualTo(1200);
            assertThat(series.get("every").asInt()).isEqualTo(3);
            assertThat(series.get("values")).hasSize(400);
        }
    }

    @Test
    void onlyImagesInsideTheFolderAreServed(@TempDir Path tmp) throws Exception {
        LiveStudy study = new LiveStudy(tmp.resolve("results"));
        study.done("l2", 0.2, 1);
        Files.writeString(tmp.resolve("secret.png"), "not for the web");
        try (Served served = Served.of(tmp, study.root)) {
            String image = served.state().at("/studies/0/model/experiments/0/details/rows/0/images/0").asText();
            HttpResponse<String> ok = ServeFixtures.get(served.base.resolve("/live/0/files/" + image));
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.headers().firstValue("Content-Type")).hasValue("image/png");
            for (String path : List.of("..%2Fsecret.png", "%2E%2E/secret.png", "cells/..%2F..%2Fsecret.png",
                    "plans/plan-0.json", "1/files/x.png", "%2Fetc%2Fpasswd")) {
                HttpResponse<String> refused = ServeFixtures.get(URI.create(served.base + "/live/0/files/" + path));
                assertThat(refused.statusCode()).as(path).isBetween(400, 404);
                assertThat(refused.body()).as(path).doesNotContain("not for the web").contains("\"error\"");
            }
            assertThat(ServeFixtures.get(served.base.resolve("/live/7/files/x.png")).statusCode()).isEqualTo(404);
        }
    }

    /** plab serve in this process with the live view of one folder. */
    private record Served(JudgingStore store, LiveView live, JudgingServer server, URI base) implements AutoCloseable {
        static Served of(Path tmp, Path results) {
            JudgingStore store = JudgingStore.open(JudgingStore.defaultUrl(tmp.resolve("home")), tmp.resolve("home"));
            LiveView live = LiveView.of(List.of(results));
            JudgingServer server = JudgingServer.start(store, "127.0.0.1", 0, JudgingServer.Limits.DEFAULT, live);
            return new Served(store, live, server, URI.create("http://127.0.0.1:" + server.port()));
        }

        JsonNode state() throws Exception {
            HttpResponse<String> r = ServeFixtures.get(base.resolve("/live/state"));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            return JSON.readTree(r.body());
        }

        @Override
        public void close() {
            server.close();
            live.close();
            store.close();
        }
    }
}
