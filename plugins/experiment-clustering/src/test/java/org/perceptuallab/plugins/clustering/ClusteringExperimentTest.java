package org.perceptuallab.plugins.clustering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
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
import org.perceptuallab.runtime.catalog.LabContext;
import org.perceptuallab.kit.io.Images;
import org.perceptuallab.testkit.CatalogTest;
import org.perceptuallab.testkit.Fixtures;
import org.perceptuallab.testkit.TestExperimentContext;

/** The data readers on each layout, the loss geometry (features, distance matrix, symmetry) and whole cells. */
class ClusteringExperimentTest extends CatalogTest {

    @Test
    void readsOneFolderPerClassInAnyFormatResizedAndCentreCropped(@TempDir Path dir) throws IOException {
        Path data = photoClasses(dir, 3);
        LabelledImages set = LabelledImages.read(data, 16, 0, 0);
        assertThat(set.classes()).containsExactly("brick", "coffee", "rocket");
        assertThat(set.labels()).containsExactly(0, 0, 0, 1, 1, 1, 2, 2, 2);
        assertThat(set.images()).allSatisfy(img -> {
            assertThat(img.getWidth()).isEqualTo(16);
            assertThat(img.getHeight()).isEqualTo(16);
        });
        LabelledImages two = LabelledImages.read(data, 16, 2, 7);
        assertThat(two.labels()).containsExactly(0, 0, 1, 1, 2, 2);
        assertThat(LabelledImages.read(data, 16, 2, 7).images().get(3).getRGB(5, 5))
                .isEqualTo(two.images().get(3).getRGB(5, 5));
    }

    @Test
    void readsIdxFilesGzippedOrNot(@TempDir Path dir) throws IOException {
        for (boolean gzip : new boolean[] {true, false}) {
            Path folder = Files.createDirectories(dir.resolve("gz-" + gzip));
            String suffix = gzip ? ".gz" : "";
            writeIdx(folder.resolve("t10k-images-idx3-ubyte" + suffix), folder.resolve("t10k-labels-idx1-ubyte" + suffix),
                    gzip);
            LabelledImages set = LabelledImages.read(folder.resolve("t10k-images-idx3-ubyte" + suffix), 4, 0, 0);
            assertThat(set.labels()).containsExactly(2, 0, 1);
            assertThat(set.classes()).containsExactly("0", "1", "2");
            // image i is a flat grey of value 40 i + 10, so resizing keeps it
            assertThat(set.images().get(1).getRGB(2, 2) & 0xff).isEqualTo(50);
            assertThat(LabelledImages.read(folder, 4, 0, 0).labels()).containsExactly(2, 0, 1);
        }
        Path cut = dir.resolve("cut-images-idx3-ubyte");
        Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(dir.resolve("gz-false/t10k-images-idx3-ubyte")), 30));
        Files.copy(dir.resolve("gz-false/t10k-labels-idx1-ubyte"), dir.resolve("cut-labels-idx1-ubyte"));
        assertThatThrownBy(() -> LabelledImages.read(cut, 4, 0, 0)).isInstanceOf(PlabException.class)
                .hasMessageContaining("truncated").hasMessageContaining("cut-images-idx3-ubyte");
    }

    @Test
    void readsCifarBinaryBatchesWithTheirClassNames(@TempDir Path dir) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
        byte[] batch = new byte[2 * 3073];
        batch[0] = 1;
        batch[3073] = 0;
        for (int i = 0; i < 1024; i++) {
            batch[1 + i] = (byte) 200;          // first image: red 200, green 0, blue 0
            batch[3073 + 1 + 2048 + i] = 100;   // second image: blue 100
        }
        Files.write(folder.resolve("data_batch_1.bin"), batch);
        Files.writeString(folder.resolve("batches.meta.txt"), "airplane\nautomobile\n\n");
        LabelledImages set = LabelledImages.read(folder, 32, 0, 0);
        assertThat(set.classes()).containsExactly("airplane", "automobile");
        assertThat(set.labels()).containsExactly(1, 0);
        assertThat(set.images().get(0).getRGB(3, 4) & 0xffffff).isEqualTo(200 << 16);
        assertThat(set.images().get(1).getRGB(31, 31) & 0xffffff).isEqualTo(100);
        Files.write(folder.resolve("data_batch_2.bin"), new byte[100]);
        assertThatThrownBy(() -> LabelledImages.read(folder, 32, 0, 0)).isInstanceOf(PlabException.class)
                .hasMessageContaining("data_batch_2.bin").hasMessageContaining("not a CIFAR-10 binary batch");
    }

    @Test
    void exactFeatureMapGivesTheLossesDistanceMatrixFromNFeatureEvaluations() {
        try (NDManager m = manager.newSubManager();
             Loss l2 = catalog.create(LossSpec.of("l2"), LabContext.of(m, 0, catalog))) {
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
            Loss ssim = catalog.create(new LossSpec("ssim", (ObjectNode) new ObjectMapper().readTree("{\"window\": 7}")),
                    LabContext.of(m, 0, catalog));
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
        Path data = photoClasses(dir, 4);
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
             Loss l = catalog.create(LossSpec.of(loss), LabContext.of(m, 0, catalog))) {
            return e.run(e.params().resolve("test", given), l,
                    TestExperimentContext.of(m, 3, out, root, catalog));
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

    /** {@code perClass} jittered crops of three photos, one folder per photo, as PNG and JPEG. */
    static Path photoClasses(Path dir, int perClass) throws IOException {
        Path root = dir.resolve("classes");
        for (String photo : List.of("brick", "coffee", "rocket")) {
            BufferedImage source = Images.read(Fixtures.photo(photo + ".png"));
            Path folder = Files.createDirectories(root.resolve(photo));
            for (int i = 0; i < perClass; i++) {
                BufferedImage crop = Images.crop(source, i, i, 96, 80);
                ImageIO.write(crop, i % 2 == 0 ? "png" : "jpeg", folder.resolve(i + (i % 2 == 0 ? ".png" : ".jpg")).toFile());
            }
        }
        return root;
    }

    /** Three 5x5 images of flat grey 10, 50, 90 labelled 2, 0, 1, in IDX format. */
    private static void writeIdx(Path images, Path labels, boolean gzip) throws IOException {
        try (DataOutputStream out = new DataOutputStream(open(images, gzip))) {
            out.writeInt(0x803);
            out.writeInt(3);
            out.writeInt(5);
            out.writeInt(5);
            for (int i = 0; i < 3; i++) {
                for (int p = 0; p < 25; p++) {
                    out.write(40 * i + 10);
                }
            }
        }
        try (DataOutputStream out = new DataOutputStream(open(labels, gzip))) {
            out.writeInt(0x801);
            out.writeInt(3);
            out.write(new byte[] {2, 0, 1});
        }
    }

    private static OutputStream open(Path file, boolean gzip) throws IOException {
        OutputStream out = Files.newOutputStream(file);
        return gzip ? new GZIPOutputStream(out) : out;
    }
}
