package org.perceptuallab.host.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A rater as the page's script behaves: fetch the next trial, look at the two candidates, post "left" or "right"
 * with the time taken. Which candidate it prefers follows its {@link Taste}, told from the images' bytes.
 */
final class RaterClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Which candidate a rater picks, given the roles ("ref", "p0", "p1", or null: distorted) of left and right. */
    enum Taste {
        /** p1 on a triplet; the undistorted copy on a catch trial. */
        ATTENTIVE_P1,
        /** p0 on a triplet; the distorted candidate on a catch trial (it fails every catch trial). */
        CARELESS_P0;

        String pick(String left, String right) {
            boolean catchTrial = "ref".equals(left) || "ref".equals(right);
            String wanted = catchTrial ? (this == ATTENTIVE_P1 ? "ref" : null) : (this == ATTENTIVE_P1 ? "p1" : "p0");
            return Objects.equals(left, wanted) ? "left" : "right";
        }
    }

    /** An answer the server acknowledged: its trial and the side the rater took. */
    record Acknowledged(long trial, String side, boolean recorded) {
    }

    private final URI base;
    private final String token;
    private final Map<String, String> roles;
    private final Taste taste;

    RaterClient(URI server, String token, Map<String, String> roles, Taste taste) {
        this.base = server.resolve("/r/" + token);
        this.token = token;
        this.roles = roles;
        this.taste = taste;
    }

    /** Follows an invitation link: the server makes a rater and redirects to its page. */
    static RaterClient join(URI server, String invitePath, Map<String, String> roles, Taste taste) {
        HttpResponse<String> r = ServeFixtures.get(server.resolve(invitePath));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
        String location = r.headers().firstValue("Location").orElseThrow();
        assertThat(location).matches(".*/r/[0-9a-f]{32}");
        return new RaterClient(server, location.substring(location.lastIndexOf('/') + 1), roles, taste);
    }

    String token() {
        return token;
    }

    JsonNode next() {
        return ok(ServeFixtures.get(URI.create(base + "/next")));
    }

    /** Answers the next trial (false when none is left), as the page does after a click. */
    boolean answerNext(Consumer<Acknowledged> acknowledged) {
        JsonNode trial = next();
        if (trial.get("done").asBoolean()) {
            return false;
        }
        String side = pick(trial.get("left").asText(), trial.get("right").asText());
        acknowledged.accept(answer(trial.get("trial").asLong(), side));
        return true;
    }

    /** The side ("left" or "right") this rater takes, given the two candidates' image addresses. */
    String pick(String leftImage, String rightImage) {
        return taste.pick(role(leftImage), role(rightImage));
    }

    Acknowledged answer(long trial, String side) {
        JsonNode body = ok(ServeFixtures.post(URI.create(base + "/answers"),
                "{\"trial\": " + trial + ", \"choice\": \"" + side + "\", \"timeMs\": 850}"));
        return new Acknowledged(trial, side, body.get("recorded").asBoolean());
    }

    private String role(String imagePath) {
        HttpResponse<byte[]> r;
        try {
            r = ServeFixtures.HTTP.send(HttpRequest.newBuilder(base.resolve(imagePath)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("image/png");
        return roles.get(ServeFixtures.digest(r.body()));
    }

    private static JsonNode ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
