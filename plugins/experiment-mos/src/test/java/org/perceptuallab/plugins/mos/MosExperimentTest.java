package org.perceptuallab.plugins.mos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.ExperimentResult;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.io.Images;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.Fixtures;

/**
 * The experiment on a mean-opinion-score set the test makes: references cut from the bundled photos, zero-mean
 * noise of known strength, the negated strength as the score.
 */
class MosExperimentTest extends CatalogTest {
    private static final String[] PHOTOS = {"astronaut.png", "camera.png", "chelsea.png", "coffee.png", "brick.png",
        "rocket.png"};
    /** Noise deviations in 8-bit levels: far from clipping, as the references span 64..191. */
    private static final double[] SIGMAS = {1.5, 3, 4.5, 6, 7.5, 9, 10.5, 12};
    private static final int SIZE = 32;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A set's images and, per distorted image, the sum of squared 8-bit differences to its reference. */
    private record NoiseSet(Path root, List<Double> squaredError, List<Double> sigma) {
    }

    /**
     * The set in the csv layout: each reference's contrast halved about mid-grey (so no noise sample clips), and
     * noise whose sample mean per channel is removed before rounding, so that the images' means do not move.
     */
    private static NoiseSet noiseSet(Path root, boolean scoreIsDegradation) throws Exception {
        Random random = new Random(7);
        StringBuilder csv = new StringBuilder("distorted,score,reference,type\n");
        List<Double> squaredError = new ArrayList<>();
        List<Double> sigmas = new ArrayList<>();
        for (String photo : PHOTOS) {
            BufferedImage source = Images.centreSquare(Images.read(Fixtures.photo(photo)), SIZE);
            int[][] ref = new int[3][SIZE * SIZE];
            for (int i = 0; i < SIZE * SIZE; i++) {
                int rgb = source.getRGB(i % SIZE, i / SIZE);
                for (int c = 0; c < 3; c++) {
                    ref[c][i] = 64 + ((rgb >> (16 - 8 * c)) & 0xff) / 2;
                }
            }
            String name = photo.replace(".png", "");
            Images.writePng(image(ref), root.resolve("ref/" + name + ".png"));
            for (double sigma : SIGMAS) {
                int[][] noisy = new int[3][SIZE * SIZE];
                double error = 0;
                for (int c = 0; c < 3; c++) {
                    double[] n = random.doubles(SIZE * SIZE).map(u -> 0).toArray();
                    double mean = 0;
                    for (int i = 0; i < n.length; i++) {
                        n[i] = sigma * random.nextGaussian();
                        mean += n[i] / n.length;
                    }
                    for (int i = 0; i < n.length; i++) {
                        noisy[c][i] = (int) Math.max(0, Math.min(255, Math.round(ref[c][i] + n[i] - mean)));
                        error += Math.pow(noisy[c][i] - ref[c][i], 2);
                    }
                }
                String distorted = String.format(Locale.ROOT, "noisy/%s-%.1f.png", name, sigma);
                Images.writePng(image(noisy), root.resolve(distorted));
                csv.append(String.format(Locale.ROOT, "%s,%s,ref/%s.png,noise%n", distorted,
                        scoreIsDegradation ? sigma : -sigma, name));
                squaredError.add(error);
                sigmas.add(sigma);
            }
        }
        Files.writeString(root.resolve("scores.csv"), csv);
        return new NoiseSet(root, squaredError, sigmas);
    }

    private static BufferedImage image(int[][] rgb) {
        BufferedImage out = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < SIZE * SIZE; i++) {
            out.setRGB(i % SIZE, i / SIZE, (rgb[0][i] << 16) | (rgb[1][i] << 8) | rgb[2][i]);
        }
        return out;
    }

    /** Blind to zero-mean noise by construction: the squared difference of the images' per-channel means. */
    private static Loss channelMeans() {
        return new Loss() {
            @Override
            public LossSpec spec() {
                return LossSpec.of("channel-means");
            }

            @Override
            public NDArray distance(NDArray x, NDArray y) {
                NDArray difference = x.mean(new int[] {3}).mean(new int[] {2}).sub(y.mean(new int[] {3}).mean(new int[] {2}));
                return difference.square().sum(new int[] {1});
            }
        };
    }

    private static ExperimentResult run(Path root, Loss loss, String extra) throws Exception {
        MosExperiment e = new MosExperiment();
        var params = e.params().resolve("test", JSON.readTree("{\"data\": \"" + root + "\", \"size\": " + SIZE
                + ", \"batch\": 5, \"bootstrap\": 200" + extra + "}"));
        try (NDManager m = manager.newSubManager()) {
            return e.run(params, loss, lab.cell(m, 0, root.resolve("out-" + loss.spec().id())).optDataRoot(root)
                    .open());
        }
    }

    @Test
    void lossesThatSeeNoiseRankAboveOneBlindToIt(@TempDir Path root) throws Exception {
        noiseSet(root, false);
        try (NDManager m = manager.newSubManager();
             Loss l2 = lab.loss(LossSpec.of("l2"), m, 0);
             Loss ssim = lab.loss(LossSpec.of("ssim"), m, 0)) {
            ExperimentResult byL2 = run(root, l2, "");
            ExperimentResult bySsim = run(root, ssim, "");
            ExperimentResult blind = run(root, channelMeans(), "");
            assertThat(byL2.value("srcc")).isGreaterThan(0.95);
            assertThat(bySsim.value("srcc")).isGreaterThan(0.6);
            assertThat(Math.abs(blind.value("srcc"))).isLessThan(0.35);
            for (String metric : List.of("srcc", "krcc", "plcc")) {
                assertThat(byL2.value(metric)).as(metric).isGreaterThan(blind.value(metric) + 0.4);
                assertThat(bySsim.value(metric)).as(metric).isGreaterThan(blind.value(metric) + 0.3);
                // the intervals do not overlap: l2's lies wholly above the blind loss's
                assertThat(byL2.value(metric + ".ci95Low")).as(metric).isLessThan(byL2.value(metric + ".ci95High"))
                        .isGreaterThan(blind.value(metric + ".ci95High"));
            }
            assertThat(byL2.headline()).isEqualTo("srcc");
            assertThat(byL2.value("pairs")).isEqualTo(PHOTOS.length * SIGMAS.length);
            assertThat(root.resolve("out-l2/scatter.png")).isRegularFile();
            assertThat(byL2.images()).containsEntry("scatter", "scatter.png");
            assertThat(byL2.synthetic()).isFalse();
        }
    }

    @Test
    void srccAndKrccEqualAFloat64RecomputationFromThePixels(@TempDir Path root) throws Exception {
        NoiseSet set = noiseSet(root, false);
        double[] x = set.squaredError().stream().mapToDouble(e -> -e).toArray();
        double[] score = set.sigma().stream().mapToDouble(s -> -s).toArray();
        try (NDManager m = manager.newSubManager();
             Loss l2 = lab.loss(LossSpec.of("l2"), m, 0)) {
            ExperimentResult result = run(root, l2, "");
            // l2 is the mean squared difference, a monotone function of the sum over 8-bit levels: the same ranks
            assertThat(result.value("srcc")).isCloseTo(CorrelationsTest.plainSpearman(x, score), within(1e-12));
            assertThat(result.value("krcc")).isCloseTo(CorrelationsTest.plainKendallTauB(x, score), within(1e-12));
            assertThat(result.tables()).singleElement().satisfies(t -> {
                assertThat(t.rows()).singleElement().satisfies(row -> {
                    assertThat(row.get(0)).isEqualTo("noise");
                    assertThat(row.get(1)).isEqualTo(PHOTOS.length * SIGMAS.length);
                    assertThat((double) row.get(2)).isEqualTo(result.value("srcc"));
                });
            });
        }
    }

    @Test
    void degradationScoresWithHigherIsWorseGiveTheSameCorrelations(@TempDir Path root) throws Exception {
        noiseSet(root.resolve("mos"), false);
        noiseSet(root.resolve("dmos"), true);
        try (NDManager m = manager.newSubManager();
             Loss l2 = lab.loss(LossSpec.of("l2"), m, 0)) {
            ExperimentResult mos = run(root.resolve("mos"), l2, "");
            ExperimentResult dmos = run(root.resolve("dmos"), l2, ", \"higherScoreIs\": \"worse\"");
            ExperimentResult misread = run(root.resolve("dmos"), l2, "");
            for (String metric : List.of("srcc", "krcc", "plcc", "srcc.ci95Low", "plcc.ci95High")) {
                assertThat(dmos.value(metric)).as(metric).isCloseTo(mos.value(metric), within(1e-9));
            }
            assertThat(misread.value("srcc")).isCloseTo(-mos.value("srcc"), within(1e-12));
        }
    }

    @Test
    void generatedSetIsMarkedSyntheticAndL2FollowsItsNoiseLevels(@TempDir Path root) throws Exception {
        MosExperiment e = new MosExperiment();
        var given = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree("{\"generateFrom\": \""
                + Fixtures.photos() + "\", \"generateReferences\": 3, \"generateKinds\": \"noise,blur\","
                + " \"generateLevels\": 4, \"size\": 32, \"bootstrap\": 50}");
        var prepared = e.prepare(given, new org.perceptuallab.api.PreparationContext() {
            @Override
            public Path folder() {
                return root.resolve("set");
            }

            @Override
            public Path resolve(String path) {
                return root.resolve(path);
            }

            @Override
            public java.io.PrintWriter log() {
                return new java.io.PrintWriter(java.io.Writer.nullWriter());
            }
        });
        assertThat(root.resolve("set/" + MosSets.SYNTHETIC_MARKER)).isRegularFile();
        try (NDManager m = manager.newSubManager();
             Loss l2 = lab.loss(LossSpec.of("l2"), m, 0)) {
            ExperimentResult result = e.run(e.params().resolve("test", prepared), l2,
                    lab.cell(m, 0, root.resolve("out")).optDataRoot(root).open());
            assertThat(result.synthetic()).isTrue();
            assertThat(result.value("pairs")).isEqualTo(3 * 2 * 4);
            assertThat(result.value("srcc.noise")).isGreaterThan(0.9);
            // blur's distances depend on each reference's detail as much as on the strength: reported, not ranked
            assertThat(result.metrics()).containsKey("srcc.blur");
            assertThat(result.tables().get(0).rows()).extracting(row -> row.get(0)).containsExactly("noise", "blur");
        }
    }

    @Test
    void missingImageNamesTheFileAndLine(@TempDir Path root) throws Exception {
        noiseSet(root, false);
        Files.delete(root.resolve("noisy/camera-3.0.png"));
        try (NDManager m = manager.newSubManager();
             Loss l2 = lab.loss(LossSpec.of("l2"), m, 0)) {
            assertThatThrownBy(() -> run(root, l2, "")).isInstanceOf(PlabException.class)
                    .hasMessageContaining(root.resolve("scores.csv") + " line 11")
                    .hasMessageContaining("camera-3.0.png not found");
        }
    }
}
