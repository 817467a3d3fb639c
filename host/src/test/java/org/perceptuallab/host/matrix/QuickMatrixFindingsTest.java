package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.host.Lab;
import org.perceptuallab.host.run.RunConfiguration;
import org.perceptuallab.testkit.Fixtures;

/**
 * The main job's pictures show what the study shows: its style-transfer, GLO and autoencoder entries, run as
 * {@code examples/matrices/quick.yaml} ships them, learn their images and keep their content. The figures
 * that decide it are each cell's own metrics (README, "The main job").
 */
class QuickMatrixFindingsTest {
    /** 1 - Pearson correlation of the training images' reconstructions: what "recognisably the images" means here. */
    static final double STRUCTURE_AT_MOST = 0.5;
    /** Mean squared pixel error (pixels in [-1, 1]) of the losses that see brightness: l2 and vgg. */
    static final double PIXEL_L2_AT_MOST = 0.05;
    /**
     * The Gram result keeps at least this share of the content (1 - its content distance over the style image's
     * own); the patch losses at least {@link #PATCH_CONTENT_KEPT_AT_LEAST}: patch-swd's distances start 200
     * times larger than the Gram loss's, so at the same style weight it gives up more of the content.
     */
    static final double GRAM_CONTENT_KEPT_AT_LEAST = 0.5;
    static final double PATCH_CONTENT_KEPT_AT_LEAST = 0.25;

    @TempDir
    static Path tmp;
    static Path out;
    static Map<String, JsonNode> cells = new HashMap<>();

    @BeforeAll
    static void runTheQuickMatrixsPictureExperiments() throws Exception {
        MatrixSpec quick = MatrixSpec.read(Fixtures.shipped("examples/matrices/quick.yaml"));
        List<MatrixSpec.ExperimentEntry> pictures = quick.experiments().stream()
                .filter(e -> Set.of("style-transfer", "glo", "autoencoder").contains(e.id())).toList();
        MatrixSpec spec = new MatrixSpec(quick.name(), quick.baseDir(), quick.seed(), quick.device(), null, pictures,
                quick.losses(), quick.plugins(), quick.replicates());
        out = tmp.resolve("out");
        try (Lab lab = MatrixFixtures.lab(quick.seed())) {
            new MatrixRunner(lab, new PrintWriter(new StringWriter(), true)).run(spec,
                    RunConfiguration.of(lab.settings(), out).withJobs(2));
        }
        for (JsonNode c : MatrixFixtures.results(out).get("cells")) {
            assertThat(c.path("status").asText()).as(c.path("error").asText()).isEqualTo("done");
            cells.put(c.path("experiment").asText() + "/" + c.path("loss").asText(), c);
        }
    }

    @Test
    void gloAndAutoencoderReconstructionsAreRecognisablyTheTrainingImagesUnderL2VggAndMmdPlusPlus() {
        for (String experiment : List.of("glo-fashion", "autoencoder-fashion")) {
            for (String loss : List.of("l2", "vgg", "mmd++ (pool 16)")) {
                JsonNode m = cells.get(experiment + "/" + loss).path("metrics");
                String cell = experiment + " x " + loss;
                assertThat(m.path("reconstructionStructure").asDouble()).as(cell + ": structure error, last epoch")
                        .isLessThanOrEqualTo(m.path("reconstructionStructureFirst").asDouble() / 2)
                        .isLessThanOrEqualTo(STRUCTURE_AT_MOST);
                if (!loss.startsWith("mmd++")) {
                    assertThat(m.path("reconstructionL2").asDouble()).as(cell + ": pixel error, last epoch")
                            .isLessThanOrEqualTo(m.path("reconstructionL2First").asDouble() / 2)
                            .isLessThanOrEqualTo(PIXEL_L2_AT_MOST);
                }
            }
        }
    }

    @Test
    void styleTransferKeepsTheContentUnderEveryLossAndMostUnderTheGramLoss() {
        List<JsonNode> style = cells.entrySet().stream().filter(e -> e.getKey().startsWith("style-transfer"))
                .map(Map.Entry::getValue).toList();
        assertThat(style).hasSize(3);
        for (JsonNode c : style) {
            String loss = c.path("loss").asText();
            assertThat(c.at("/metrics/contentKept").asDouble()).as(loss + ": content kept")
                    .isGreaterThanOrEqualTo(loss.startsWith("vgg gram") ? GRAM_CONTENT_KEPT_AT_LEAST
                            : PATCH_CONTENT_KEPT_AT_LEAST);
            assertThat(c.at("/metrics/styleRatio").asDouble()).as(c.path("loss").asText() + ": style distance, end"
                    + " against start").isLessThan(0.5);
        }
    }

    @Test
    void eachExperimentHasItsSideBySideViewWithTheInputsFirst() throws Exception {
        String html = Files.readString(out.resolve("report.html"));
        for (String experiment : List.of("style-transfer-chelsea-starry", "glo-fashion", "autoencoder-fashion")) {
            int from = html.indexOf("<h2 id=\"" + experiment + "\">");
            assertThat(from).as(experiment).isPositive();
            // The view runs to the next heading (another experiment's view, the notes or the details).
            String gallery = html.substring(from, html.indexOf("<h2 ", from + 1));
            assertThat(gallery).contains("<div class=\"gallery\">", "<figure class=\"cmp input\">", "<p class=\"note\">");
        }
        assertThat(html).contains("alt=\"content\"", "alt=\"style\"", "alt=\"training images\"",
                "alt=\"reconstructions, mmd++ (pool 16)\"");
    }
}
