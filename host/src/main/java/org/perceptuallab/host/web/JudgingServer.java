package org.perceptuallab.host.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.web.JudgingStore.Answer;
import org.perceptuallab.host.web.JudgingStore.Campaign;
import org.perceptuallab.host.web.JudgingStore.Rater;
import org.perceptuallab.host.web.JudgingStore.Trial;
import org.perceptuallab.kit.io.Folders;

/**
 * The judging web application on Javalin (Jetty). Raters reach everything under {@code /r/TOKEN}: the page, the
 * next trial, answers, and the images of their own campaign by id. The lead's routes under
 * {@code /api/campaigns/ID} need the campaign's admin token as {@code Authorization: Bearer TOKEN}. Every refusal
 * is a 4xx with {@code {"error": "..."}} saying what to do.
 */
public final class JudgingServer implements AutoCloseable {
    /** Request size and the per-token rate a rater (or an invitation link) may use. */
    public record Limits(int maxBodyBytes, double requestsPerSecond, int burst) {
        /** Far above a person's pace (an answer every second or two), far below a script's. */
        public static final Limits DEFAULT = new Limits(16 * 1024, 20, 3 * 20);
    }

    /** What the rater page's template shows. */
    public record RaterPage(String campaign, String base, int answered, int total) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TemplateEngine TEMPLATES = TemplateEngine.createPrecompiled(ContentType.Html);
    private static final String BEARER = "Bearer ";

    private final JudgingStore store;
    private final RateLimiter limiter;
    private final Javalin app;

    private JudgingServer(JudgingStore store, Limits limits, LiveView live) {
        this.store = store;
        this.limiter = new RateLimiter(limits.requestsPerSecond(), limits.burst());
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.http.maxRequestSize = limits.maxBodyBytes();
            config.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage()));
            config.routes.exception(PlabException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
            config.routes.get("/join/{invite}", this::join);
            config.routes.get("/r/{token}", this::page);
            config.routes.get("/r/{token}/next", this::next);
            config.routes.post("/r/{token}/answers", this::answer);
            config.routes.get("/r/{token}/images/{image}", this::image);
            config.routes.get("/static/rate.js", ctx -> WebResources.send(ctx, "rate.js", "text/javascript"));
            config.routes.get("/api/campaigns/{campaign}", this::status);
            config.routes.post("/api/campaigns/{campaign}/raters", this::addRater);
            config.routes.post("/api/campaigns/{campaign}/raters/{rater}/revoke", this::revoke);
            config.routes.get("/api/campaigns/{campaign}/export", this::export);
            if (live != null) {
                live.routes(config.routes);
            }
        });
    }

    /** Starts serving on {@code bind}:{@code port} (0: any free port). */
    public static JudgingServer start(JudgingStore store, String bind, int port, Limits limits) {
        return start(store, bind, port, limits, null);
    }

    /** Starts serving judging and, where {@code live} is not null, the live view of its results folders. */
    public static JudgingServer start(JudgingStore store, String bind, int port, Limits limits, LiveView live) {
        JudgingServer server = new JudgingServer(store, limits, live);
        server.app.start(bind, port);
        return server;
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    /** Whether the rater sees p1 on the left of this trial: fixed per rater and trial, so a reload shows the same. */
    static boolean p1Left(long raterId, long trialId) {
        return new SplittableRandom(raterId * 0x9E3779B97F4A7C15L + trialId).nextBoolean();
    }

    private void join(Context ctx) {
        String invite = ctx.pathParam("invite");
        Campaign campaign = Tokens.wellFormed(invite) ? store.campaignByInvite(invite).orElse(null) : null;
        if (campaign == null) {
            throw new HttpResponseException(404, "this invitation link is not valid; ask the campaign's lead for"
                    + " the current link");
        }
        limit(invite);
        String token = Tokens.newToken();
        store.addRater(campaign.id(), Tokens.hash(token), "invited");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.redirect("/r/" + token, HttpStatus.SEE_OTHER);
    }

    private void page(Context ctx) {
        Rater rater = rater(ctx);
        Campaign campaign = store.campaignById(rater.campaignId()).orElseThrow();
        StringOutput out = new StringOutput();
        TEMPLATES.render("rater.jte", new RaterPage(campaign.name(), "/r/" + ctx.pathParam("token"),
                store.answerCount(rater.id()), store.trialCount(campaign.id())), out);
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cache-Control", "no-store");
        ctx.contentType("text/html; charset=utf-8").result(out.toString());
    }

    private void next(Context ctx) {
        Rater rater = rater(ctx);
        String base = "/r/" + ctx.pathParam("token") + "/images/";
        ObjectNode body = progress(rater);
        store.nextTrial(rater).ifPresentOrElse(t -> {
            boolean p1Left = p1Left(rater.id(), t.id());
            body.put("done", false).put("trial", t.id()).put("ref", base + t.refImage())
                    .put("left", base + (p1Left ? t.p1Image() : t.p0Image()))
                    .put("right", base + (p1Left ? t.p0Image() : t.p1Image()));
        }, () -> body.put("done", true));
        json(ctx, 200, body);
    }

    private void answer(Context ctx) {
        Rater rater = rater(ctx);
        JsonNode body = body(ctx);
        Trial trial = ownTrial(rater, body.path("trial"));
        String side = body.path("choice").asText("");
        if (!side.equals("left") && !side.equals("right")) {
            throw new HttpResponseException(400, "\"choice\" must be \"left\" or \"right\"");
        }
        JsonNode time = body.path("timeMs");
        if (!time.canConvertToLong() || time.asLong() < 0 || time.asLong() > 86_400_000L) {
            throw new HttpResponseException(400, "\"timeMs\" must be the answer's time in milliseconds (0 to one day)");
        }
        boolean p1Left = p1Left(rater.id(), trial.id());
        String choice = side.equals("left") == p1Left ? "p1" : "p0";
        boolean recorded = store.record(new Answer(rater.id(), trial.id(), choice, p1Left, time.asLong()));
        json(ctx, 200, progress(rater).put("recorded", recorded));
    }

    private void image(Context ctx) throws IOException {
        Rater rater = rater(ctx);
        String id = ctx.pathParam("image");
        if (!id.matches("[0-9]{1,18}")) {
            throw new HttpResponseException(400, "an image id is a number");
        }
        long image = Long.parseLong(id);
        if (store.imageCampaign(image).filter(c -> c == rater.campaignId()).isEmpty()) {
            throw new HttpResponseException(404, "no image " + image + " in your campaign");
        }
        ctx.header("Cache-Control", "private, max-age=3600");
        ctx.contentType("image/png").result(Files.readAllBytes(store.imageFile(rater.campaignId(), image)));
    }

    private void status(Context ctx) {
        Campaign campaign = adminCampaign(ctx);
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("id", campaign.id()).put("name", campaign.name())
                .put("trials", store.trialCount(campaign.id())).put("answers", store.answers(campaign.id()).size());
        store.raters(campaign.id()).forEach(r -> body.withArray("raters").addObject().put("id", r.id())
                .put("label", r.label()).put("revoked", r.revoked()).put("answers", store.answerCount(r.id())));
        json(ctx, 200, body);
    }

    private void addRater(Context ctx) {
        Campaign campaign = adminCampaign(ctx);
        String label = body(ctx).path("label").asText("rater");
        if (!label.matches("[\\p{L}\\p{N} ._@-]{1,100}")) {
            throw new HttpResponseException(400, "\"label\" must be 1 to 100 letters, digits, spaces or ._@-");
        }
        String token = Tokens.newToken();
        Rater rater = store.addRater(campaign.id(), Tokens.hash(token), label);
        json(ctx, 201, JsonNodeFactory.instance.objectNode().put("id", rater.id()).put("token", token)
                .put("link", "/r/" + token));
    }

    private void revoke(Context ctx) {
        Campaign campaign = adminCampaign(ctx);
        long rater = number(ctx.pathParam("rater"), "rater id");
        if (!store.revokeRater(campaign.id(), rater)) {
            throw new HttpResponseException(404, "campaign '" + campaign.name() + "' has no rater " + rater);
        }
        json(ctx, 200, JsonNodeFactory.instance.objectNode().put("revoked", rater));
    }

    private void export(Context ctx) throws IOException {
        Campaign campaign = adminCampaign(ctx);
        String given = ctx.queryParam("maxCatchFailures");
        double maxCatchFailures = given == null ? JudgingExport.DEFAULT_MAX_CATCH_FAILURES : share(given);
        Path folder = Files.createTempDirectory("plab-export-");
        try {
            JudgingExport.write(store, campaign, folder.resolve(campaign.name()), maxCatchFailures);
            ctx.contentType("application/zip").header("Content-Disposition", "attachment; filename=\""
                    + campaign.name() + ".zip\"");
            zip(folder, ctx.outputStream());
        } finally {
            Folders.deleteTree(folder);
        }
    }

    private static double share(String text) {
        try {
            double v = Double.parseDouble(text);
            if (v >= 0 && v <= 1) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // refused below with the message
        }
        throw new HttpResponseException(400, "maxCatchFailures must be a share between 0 and 1");
    }

    private static void zip(Path folder, OutputStream to) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(to); Stream<Path> files = Files.walk(folder)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                zip.putNextEntry(new ZipEntry(folder.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, zip);
                zip.closeEntry();
            }
        }
    }

    /** The rater of the path's token: 401 for an unknown one, 403 for a revoked one, 429 past the rate. */
    private Rater rater(Context ctx) {
        String token = ctx.pathParam("token");
        Rater rater = Tokens.wellFormed(token) ? store.raterByToken(token).orElse(null) : null;
        if (rater == null) {
            throw new HttpResponseException(401, "unknown rater token; open the invitation link your campaign's lead"
                    + " sent");
        }
        if (rater.revoked()) {
            throw new HttpResponseException(403, "this rater's token was revoked by the campaign's lead; ask them"
                    + " for a new link");
        }
        limit(token);
        return rater;
    }

    /** The campaign of the path whose admin token the request bears: 401 otherwise, and for a missing campaign. */
    private Campaign adminCampaign(Context ctx) {
        String auth = ctx.header("Authorization");
        String token = auth != null && auth.startsWith(BEARER) ? auth.substring(BEARER.length()).trim() : null;
        if (!Tokens.wellFormed(token)) {
            throw new HttpResponseException(401, "this route needs the campaign's admin token as 'Authorization:"
                    + " Bearer TOKEN' (printed by 'plab serve campaign create')");
        }
        long id = number(ctx.pathParam("campaign"), "campaign id");
        // An unknown campaign and a wrong token look the same, so ids cannot be probed.
        if (!store.isAdmin(id, token)) {
            throw new HttpResponseException(401, "the admin token does not open campaign " + id);
        }
        limit(token);
        return store.campaignById(id).orElseThrow();
    }

    private void limit(String token) {
        if (!limiter.tryAcquire(Tokens.hash(token))) {
            throw new HttpResponseException(429, "too many requests for this token; wait a second and retry",
                    Map.of());
        }
    }

    /** The trial the body names, if it is one of the rater's campaign (404 otherwise, as for one that is not). */
    private Trial ownTrial(Rater rater, JsonNode id) {
        if (!id.canConvertToLong()) {
            throw new HttpResponseException(400, "\"trial\" must be the trial's id (a number)");
        }
        return store.trial(id.asLong()).filter(t -> t.campaignId() == rater.campaignId())
                .orElseThrow(() -> new HttpResponseException(404, "no trial " + id.asLong() + " in your campaign"));
    }

    private static JsonNode body(Context ctx) {
        byte[] bytes = ctx.bodyAsBytes();
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new HttpResponseException(400, "the body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new HttpResponseException(400, "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new HttpResponseException(400, "cannot read the body: " + e.getMessage());
        }
    }

    private static long number(String text, String what) {
        if (!text.matches("[0-9]{1,18}")) {
            throw new HttpResponseException(400, what + " must be a number");
        }
        return Long.parseLong(text);
    }

    private ObjectNode progress(Rater rater) {
        return JsonNodeFactory.instance.objectNode().put("answered", store.answerCount(rater.id()))
                .put("total", store.trialCount(rater.campaignId()));
    }

    /** Serves one of the web application's own files (script, page). */
    private static void error(Context ctx, int status, String message) {
        json(ctx, status, JsonNodeFactory.instance.objectNode().put("error", message));
    }

    private static void json(Context ctx, int status, JsonNode body) {
        ctx.status(status).contentType("application/json").result(body.toString());
    }
}
