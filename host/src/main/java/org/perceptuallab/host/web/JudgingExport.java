package org.perceptuallab.host.web;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.io.JsonFiles;
import org.perceptuallab.host.web.JudgingStore.Answer;
import org.perceptuallab.host.web.JudgingStore.Campaign;
import org.perceptuallab.host.web.JudgingStore.Rater;
import org.perceptuallab.host.web.JudgingStore.Trial;
import org.perceptuallab.kit.io.NumpyArrays;

/**
 * A campaign's answers as a BAPPS-layout set: {@code <out>/<category>/{ref,p0,p1}/NAME.png} and
 * {@code judge/NAME.npy} holding the fraction of raters who judged p1 closer, so the 2AFC experiment reads it like
 * any BAPPS set; beside it {@value #SUMMARY}: per-triplet rater counts, agreement, the human ceiling, and which
 * raters were left out for failing catch trials. Catch trials and unanswered triplets are not exported.
 */
public final class JudgingExport {
    public static final String SUMMARY = "judging-summary.json";
    /** By default a rater failing more than a quarter of the catch trials they answered is left out. */
    public static final double DEFAULT_MAX_CATCH_FAILURES = 0.25;

    private JudgingExport() {
    }

    /**
     * Writes the export into {@code out} (new or empty) and returns the summary it wrote.
     *
     * @param maxCatchFailures the largest share of failed catch trials a rater may have and still count
     */
    public static ObjectNode write(JudgingStore store, Campaign campaign, Path out, double maxCatchFailures) {
        if (!(maxCatchFailures >= 0 && maxCatchFailures <= 1)) {
            throw new PlabException("max catch failures " + maxCatchFailures + ": give a share between 0 and 1");
        }
        prepare(out);
        List<Trial> trials = store.trials(campaign.id());
        Map<Long, Trial> byId = new HashMap<>();
        trials.forEach(t -> byId.put(t.id(), t));
        List<Answer> answers = store.answers(campaign.id());

        ObjectNode summary = JsonNodeFactory.instance.objectNode();
        summary.put("judge", "human");
        summary.put("campaign", campaign.name());
        summary.put("source", campaign.source());
        summary.put("maxCatchFailures", maxCatchFailures);
        summary.put("rule", "a rater who failed more than maxCatchFailures of the catch trials they answered is"
                + " left out; catch trials are not exported; judge = fraction of the counted raters preferring p1;"
                + " humanCeiling = mean over triplets of p^2 + (1-p)^2 (LPIPS paper); agreement = mean over triplets"
                + " with 2 or more raters of the share of rater pairs giving the same answer");
        Map<Long, Boolean> counted = new HashMap<>();
        ArrayNode raters = summary.putArray("raters");
        for (Rater r : store.raters(campaign.id())) {
            List<Answer> own = answers.stream().filter(a -> a.raterId() == r.id()).toList();
            List<Answer> catches = own.stream().filter(a -> byId.get(a.trialId()).isCatch()).toList();
            long failed = catches.stream().filter(a -> !a.choice().equals(byId.get(a.trialId()).expected())).count();
            boolean excluded = !catches.isEmpty() && failed > maxCatchFailures * catches.size();
            counted.put(r.id(), !excluded);
            long[] times = own.stream().mapToLong(Answer::timeMs).sorted().toArray();
            raters.addObject().put("id", r.id()).put("label", r.label()).put("revoked", r.revoked())
                    .put("answers", own.size()).put("medianTimeMs", times.length == 0 ? 0 : times[times.length / 2])
                    .put("catchAnswered", catches.size()).put("catchFailed", failed).put("excluded", excluded);
        }
        summary.put("ratersCounted", counted.values().stream().filter(c -> c).count());
        summary.put("ratersExcluded", counted.values().stream().filter(c -> !c).count());

        ArrayNode perTriplet = summary.putArray("triplets");
        ArrayNode unanswered = summary.putArray("unanswered");
        double ceiling = 0;
        double agreement = 0;
        int agreementTriplets = 0;
        try (NDManager manager = NDManager.newBaseManager()) {
            for (Trial t : trials) {
                if (t.isCatch()) {
                    continue;
                }
                List<Answer> votes = answers.stream().filter(a -> a.trialId() == t.id() && counted.get(a.raterId()))
                        .toList();
                if (votes.isEmpty()) {
                    unanswered.add(t.category() + "/" + t.name());
                    continue;
                }
                int n = votes.size();
                long p1 = votes.stream().filter(a -> a.choice().equals("p1")).count();
                double p = (double) p1 / n;
                ceiling += p * p + (1 - p) * (1 - p);
                if (n >= 2) {
                    agreement += (p1 * (p1 - 1) + (n - p1) * (n - p1 - 1)) / (double) (n * (n - 1));
                    agreementTriplets++;
                }
                writeTriplet(store, t, out.resolve(t.category()), (float) p, manager);
                perTriplet.addObject().put("category", t.category()).put("name", t.name()).put("raters", n)
                        .put("preferP1", p);
            }
        }
        int exported = perTriplet.size();
        summary.put("exported", exported);
        summary.put("catchTrials", trials.stream().filter(Trial::isCatch).count());
        putMean(summary, "humanCeiling", ceiling, exported);
        putMean(summary, "agreement", agreement, agreementTriplets);
        JsonFiles.writeJson(out.resolve(SUMMARY), summary);
        return summary;
    }

    /** The mean, or null where there is nothing to average (no triplet answered, none by two raters). */
    private static void putMean(ObjectNode summary, String key, double sum, int count) {
        if (count == 0) {
            summary.putNull(key);
        } else {
            summary.put(key, sum / count);
        }
    }

    private static void prepare(Path out) {
        try {
            if (Files.isDirectory(out)) {
                try (Stream<Path> entries = Files.list(out)) {
                    if (entries.findAny().isPresent()) {
                        throw new PlabException("export folder " + out + " is not empty; give a new or empty --out");
                    }
                }
            }
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new PlabException("cannot make the export folder " + out + ": " + e.getMessage(), e);
        }
    }

    private static void writeTriplet(JudgingStore store, Trial t, Path dir, float preferP1, NDManager manager) {
        String png = t.name() + ".png";
        try {
            for (String role : List.of("ref", "p0", "p1", "judge")) {
                Files.createDirectories(dir.resolve(role));
            }
            Files.copy(store.imageFile(t.campaignId(), t.refImage()), dir.resolve("ref").resolve(png));
            Files.copy(store.imageFile(t.campaignId(), t.p0Image()), dir.resolve("p0").resolve(png));
            Files.copy(store.imageFile(t.campaignId(), t.p1Image()), dir.resolve("p1").resolve(png));
            try (NDArray judge = manager.create(new float[] {preferP1});
                 OutputStream npy = Files.newOutputStream(dir.resolve("judge").resolve(t.name() + ".npy"))) {
                NumpyArrays.writeNpy(judge, npy);
            }
        } catch (IOException e) {
            throw new PlabException("cannot write the export's triplet " + t.category() + "/" + t.name() + " into "
                    + dir + ": " + e.getMessage(), e);
        }
    }
}
