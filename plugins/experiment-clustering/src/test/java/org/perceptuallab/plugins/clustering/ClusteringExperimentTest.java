package org.perceptuallab.plugins.clustering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptuallab.api.ExperimentResult;
import org.perceptuallab.api.FeatureMap;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.Metric;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.Progress;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.Fixtures;

/** The loss geometry (features, distance matrix, symmetry) and whole cells. */
class ClusteringExperimentTest extends CatalogTest {

    @Test
    void exactFeatureMapGivesTheLossesDistanceMatrixFromNFeatureEvaluations() {
        try (NDManager m = manager.newSubManager();
             Loss l2 = lab.loss(LossSpec.of("l2"), m, 0)) {
            List<NDArray> images = randomImages(m, 7);
            Geometry g = Geometry.of(l2, images, 3, true, m, (task, total) -> Progress.silent());
            assertThat(g.hasFeatures()).isTrue();
            assertThat(g.evaluations()).isEqualTo(7);
            assertThat(g.featureDimension()).isEqualTo(3 * 12 * 12);
            assertMatchesPairedDistances(l2, images, g.distances(), 1e-4);
        }
    }

    @Test
    void withoutAFeatureMapASymmetricLossCostsHalfThePairsAndAnAsymmetricOneIsSymmetrised() throws IOException {
        try (NDManager m = manager.newSubManager()) {
            List<NDArray> images = randomImages(m, 6);
            Loss ssim = lab.loss("{\"loss\": \"ssim\", \"params\": {\"window\": 7}}", m, 0);
            Geometry g = Geometry.of(ssim, images, 4, true, m, (task, total) -> Progress.silent());
            assertThat(g.hasFeatures()).isFalse();
            assertThat(g.symmetrized()).isFalse();
            assertThat(g.evaluations()).isEqualTo(6 * 7 / 2);
            assertMatchesPairedDistances(ssim, images, g.distances(), 1e-6);

            // d(x, y) = mean(relu(x - y)): not symmetric, so both orders are computed and averaged.
            Loss oneSided = new Loss() {
                public LossSpec spec() {
                    return ssim.spec();
                }

                public NDArray distance(NDArray x, NDArray y) {
                    return x.sub(y).maximum(0).reshape(x.getShape().get(0), -1).mean(new int[] {1});
                }
            };
            Geometry symmetric = Geometry.of(oneSided, images, 4, true, m, (task, total) -> Progress.silent());
            assertThat(symmetric.symmetrized()).isTrue();
            assertThat(symmetric.evaluations()).isEqualTo(6 * 6);
            double forward = oneSided.distance(images.get(1), images.get(4)).getFloat(0);
            double backward = oneSided.distance(images.get(4), images.get(1)).getFloat(0);
            assertThat(symmetric.distances()[1][4]).isCloseTo((forward + backward) / 2, within(1e-6));
            assertThat(symmetric.distances()[4][1]).isEqualTo(symmetric.distances()[1][4]);
        }
    }

    @Test
    void aCellClustersPhotoCropsByPhotoUnderL2AndSsimReproducibly(@TempDir Path dir) throws Exception {
        Path data = Fixtures.photoClasses(dir, 4);
        ClusteringExperiment e = new ClusteringExperiment();
        ObjectNode given = (ObjectNode) new ObjectMapper().readTree("{\"data\": \"classes\", \"size\": 24}");
        ExperimentResult l2 = run(e, given, "l2", dir.resolve("l2"), dir);
        assertThat(l2.details().path("method").asText()).isEqualTo("kmeans");
        assertThat(l2.metrics()).containsEntry("n", Metric.count(12)).containsEntry("k", Metric.count(3));
        assertThat(l2.value("f1")).isEqualTo(1.0);
        assertThat(l2.value("ari")).isEqualTo(1.0);
        assertThat(l2.images()).containsOnlyKeys("clusters", "confusion");
        assertThat(dir.resolve("l2/clusters.png")).isRegularFile();
        assertThat(ImageIO.read(dir.resolve("l2/confusion.png").toFile())).isNotNull();
        assertThat(l2.curves().get("objective")).isNotEmpty();

        ExperimentResult ssim = run(e, given, "ssim", dir.resolve("ssim"), dir);
        assertThat(ssim.details().path("method").asText()).isEqualTo("kmedoids");
        assertThat(ssim.details().path("evaluations").asLong()).isEqualTo(12 * 13 / 2);
        assertThat(ssim.value("purity")).isEqualTo(1.0);
        ExperimentResult again = run(e, given, "ssim", dir.resolve("ssim-again"), dir);
        assertThat(again.details().get("assignments")).isEqualTo(ssim.details().get("assignments"));

        given.put("method", "kmeans");
        assertThatThrownBy(() -> run(e, given, "ssim", dir.resolve("bad"), dir)).isInstanceOf(PlabException.class)
                .hasMessageContaining("exact feature map").hasMessageContaining("'ssim'");
        given.put("method", "auto");
        given.put("k", 20);
        assertThatThrownBy(() -> run(e, given, "l2", dir.resolve("bad"), dir)).isInstanceOf(PlabException.class)
                .hasMessageContaining("k = 20").hasMessageContaining("12 images");
    }

    private ExperimentResult run(ClusteringExperiment e, ObjectNode given, String loss, Path out, Path root)
            throws Exception {
        Files.createDirectories(out);
        try (NDManager m = manager.newSubManager();
             Loss l = lab.loss(LossSpec.of(loss), m, 0)) {
            return e.run(e.params().resolve("test", given), l,
                    lab.cell(m, 3, out).optDataRoot(root).open());
        }
    }

    private static void assertMatchesPairedDistances(Loss loss, List<NDArray> images, double[][] d, double tolerance) {
        for (int i = 0; i < images.size(); i++) {
            assertThat(d[i][i]).isZero();
            for (int j = 0; j < images.size(); j++) {
                if (i != j) {
                    double paired = loss.distance(images.get(i), images.get(j)).getFloat(0);
                    assertThat(d[i][j]).as("(%d, %d)", i, j).isCloseTo(paired, within(tolerance * Math.abs(paired) + 1e-9));
                }
            }
        }
    }

    private static List<NDArray> randomImages(NDManager m, int n) {
        List<NDArray> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(m.randomUniform(-1, 1, new ai.djl.ndarray.types.Shape(1, 3, 12, 12)));
        }
        return out;
    }

}
