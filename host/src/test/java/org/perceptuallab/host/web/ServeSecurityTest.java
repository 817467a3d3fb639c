package org.perceptuallab.host.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.perceptuallab.host.web.RaterClient.Taste;

/** Each refusal of the judging server, tried: the status, and a JSON message saying what to do. */
class ServeSecurityTest {
    private static final String SECRET = "the content of a file beside the images";
    @TempDir
    static Path tmp;
    private static ServeFixtures.Server server;
    private static ServeFixtures.Campaign mine;
    private static ServeFixtures.Campaign other;
    private static RaterClient rater;
    private static RaterClient otherRater;

    @BeforeAll
    static void twoCampaignsAndARaterOfEach() throws Exception {
        Path set = ServeFixtures.bappsSet(tmp.resolve("set"), 2, 8);
        Path home = tmp.resolve("home");
        mine = ServeFixtures.createCampaign(home, set, "mine", 0);
        other = ServeFixtures.createCampaign(home, set, "other", 0);
        // A secret beside the images, which no request may read.
        Files.writeString(home.resolve("serve").resolve("secret.png"), SECRET);
        server = ServeFixtures.start(home, new JudgingServer.Limits(1024, 1000, 1000));
        Map<String, String> roles = ServeFixtures.rolesByContent(set);
        rater = RaterClient.join(server.base(), mine.invitePath(), roles, Taste.ATTENTIVE_P1);
        otherRater = RaterClient.join(server.base(), other.invitePath(), roles, Taste.ATTENTIVE_P1);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void anotherCampaignsTrialAndImagesAreNotFound() {
        long theirTrial = otherRater.next().get("trial").asLong();
        String theirImage = otherRater.next().get("ref").asText();
        assertRefused(answer(rater.token(), "{\"trial\": " + theirTrial + ", \"choice\": \"left\", \"timeMs\": 5}"),
                404, "no trial " + theirTrial + " in your campaign");
        String imageId = theirImage.substring(theirImage.lastIndexOf('/') + 1);
        assertRefused(ServeFixtures.get(server.base().resolve("/r/" + rater.token() + "/images/" + imageId)), 404,
                "no image " + imageId + " in your campaign");
        assertThat(server.store().answers(other.id())).isEmpty();
    }

    @Test
    void aRevokedTokenIsRefusedWithAMessage() {
        HttpResponse<String> added = ServeFixtures.post(adminUri(mine, "/raters"), "{\"label\": \"Ann B.\"}",
                "Authorization", ServeFixtures.bearer(mine.adminToken()));
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        String token = added.body().replaceAll(".*\"token\":\"([0-9a-f]{32})\".*", "$1");
        long id = Long.parseLong(added.body().replaceAll(".*\"id\":(\\d+).*", "$1"));
        assertThat(ServeFixtures.get(server.base().resolve("/r/" + token + "/next")).statusCode()).isEqualTo(200);

        HttpResponse<String> revoked = ServeFixtures.post(adminUri(mine, "/raters/" + id + "/revoke"), "{}",
                "Authorization", ServeFixtures.bearer(mine.adminToken()));
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
        assertRefused(ServeFixtures.get(server.base().resolve("/r/" + token + "/next")), 403,
                "this rater's token was revoked by the campaign's lead");
        assertRefused(ServeFixtures.get(server.base().resolve("/r/" + token)), 403, "revoked");
        // Another campaign's lead cannot revoke this campaign's raters.
        assertRefused(ServeFixtures.post(adminUri(mine, "/raters/" + id + "/revoke"), "{}", "Authorization",
                ServeFixtures.bearer(other.adminToken())), 401, "the admin token does not open campaign");
    }

    @Test
    void adminRoutesWithoutTheLeadsTokenAreUnauthorized() {
        assertRefused(ServeFixtures.get(adminUri(mine, "")), 401, "needs the campaign's admin token");
        assertRefused(ServeFixtures.get(adminUri(mine, "/export")), 401, "needs the campaign's admin token");
        assertRefused(ServeFixtures.get(adminUri(mine, "/export"), "Authorization", "Bearer " + "0".repeat(32)), 401,
                "the admin token does not open campaign " + mine.id());
        assertRefused(ServeFixtures.get(adminUri(mine, ""), "Authorization", ServeFixtures.bearer(other.adminToken())),
                401, "does not open campaign");
        // A rater's token is no admin token.
        assertRefused(ServeFixtures.get(adminUri(mine, ""), "Authorization", ServeFixtures.bearer(rater.token())), 401,
                "does not open campaign");
        HttpResponse<String> lead = ServeFixtures.get(adminUri(mine, ""), "Authorization",
                ServeFixtures.bearer(mine.adminToken()));
        assertThat(lead.statusCode()).isEqualTo(200);
        assertThat(lead.body()).contains("\"name\":\"mine\"");
    }

    @Test
    void anOversizedBodyIsRefusedWith413() {
        String padding = "x".repeat(4096);
        HttpResponse<String> r = answer(rater.token(), "{\"trial\": 1, \"choice\": \"left\", \"timeMs\": 5, \"pad\": \""
                + padding + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
        assertThat(r.body()).startsWith("{\"error\":");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../secret.png", "..%2Fsecret.png", "..%2F..%2Fserve%2Fsecret.png", "%2e%2e%2fsecret.png",
            "1%2F..%2F..%2Fsecret.png", "..\\secret.png", "-1", "99999999999999999999"})
    void aPathLikeImageIdNeverReadsAFile(String id) {
        HttpResponse<String> r = ServeFixtures.send(HttpRequest.newBuilder(URI.create(server.base() + "/r/"
                + rater.token() + "/images/" + id.replace("\\", "%5C"))).GET());
        assertThat(r.statusCode()).as(r.body()).isIn(400, 404);
        assertThat(r.body()).doesNotContain(SECRET).doesNotContain("PNG");
    }

    @Test
    void invalidInputIsA400WithAMessage() {
        assertRefused(answer(rater.token(), "not json"), 400, "the body is not valid JSON");
        assertRefused(answer(rater.token(), "[1]"), 400, "the body must be a JSON object");
        long trial = rater.next().get("trial").asLong();
        assertRefused(answer(rater.token(), "{\"trial\": " + trial + ", \"choice\": \"up\", \"timeMs\": 5}"), 400,
                "\"choice\" must be \"left\" or \"right\"");
        assertRefused(answer(rater.token(), "{\"trial\": " + trial + ", \"choice\": \"left\", \"timeMs\": -3}"), 400,
                "\"timeMs\" must be");
        assertRefused(answer(rater.token(), "{\"trial\": \"x\", \"choice\": \"left\", \"timeMs\": 3}"), 400,
                "\"trial\" must be the trial's id");
        assertRefused(ServeFixtures.get(server.base().resolve("/r/not-a-token/next")), 401, "unknown rater token");
        assertRefused(ServeFixtures.get(server.base().resolve("/join/" + "f".repeat(32))), 404,
                "this invitation link is not valid");
        assertRefused(ServeFixtures.post(adminUri(mine, "/raters"), "{\"label\": \"<script>\"}", "Authorization",
                ServeFixtures.bearer(mine.adminToken())), 400, "\"label\" must be");
    }

    @Test
    void aTokenPastItsRateIsRefusedWith429() {
        // A second server on the same database, whose bucket holds 5 requests and refills at 2 per second.
        try (JudgingServer strict = JudgingServer.start(server.store(), "127.0.0.1", 0,
                new JudgingServer.Limits(1024, 2, 5))) {
            URI next = URI.create("http://127.0.0.1:" + strict.port() + "/r/" + rater.token() + "/next");
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                statuses.add(ServeFixtures.get(next).statusCode());
            }
            assertThat(statuses.subList(0, 4)).containsOnly(200);
            assertThat(statuses).contains(429);
            assertRefused(ServeFixtures.get(next), 429, "too many requests for this token");
            // Other tokens keep their own budget.
            HttpResponse<String> another = ServeFixtures.get(URI.create("http://127.0.0.1:" + strict.port() + "/r/"
                    + otherRater.token() + "/next"));
            assertThat(another.statusCode()).isEqualTo(200);
        }
    }

    private static HttpResponse<String> answer(String token, String body) {
        return ServeFixtures.post(server.base().resolve("/r/" + token + "/answers"), body);
    }

    private static URI adminUri(ServeFixtures.Campaign campaign, String rest) {
        return server.base().resolve("/api/campaigns/" + campaign.id() + rest);
    }

    private static void assertRefused(HttpResponse<String> r, int status, String message) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(r.body()).startsWith("{\"error\":").contains(message.replace("\"", "\\\""));
    }
}
