package org.perceptuallab.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.perceptuallab.api.Loss;
import org.perceptuallab.api.LossSpec;
import org.perceptuallab.kit.OneDraw;
import org.perceptuallab.kit.io.Images;
import org.perceptuallab.kit.io.NumpyArrays;
import org.perceptuallab.testkit.Fixtures;

/**
 * {@code plab distance --matrix}: the N x M distances between the images of folders, as CSV and .npy,
 * equal to the paired distances of the same loss under one draw of its random constants (its
 * {@link Loss#oneDraw() one-draw view}), also as {@code plab distance A B} prints them, and symmetric.
 */
class DistanceMatrixCommandTest {
    private static final int IMAGES = 40;
    private static final int SIDE = 32;

    @TempDir
    static Path work;
    private static Path folder;

    /** 40 crops of the bundled photos, 32 x 32, named so that their order is known. */
    @BeforeAll
    static void crops() throws IOException {
        folder = work.resolve("crops");
        Files.createDirectories(folder);
        List<Path> photos;
        try (Stream<Path> s = Files.list(Fixtures.photos())) {
            photos = s.filter(Images::isImageFile).sorted().toList();
        }
        for (int i = 0; i < IMAGES; i++) {
            BufferedImage photo = Images.read(photos.get(i % photos.size()));
            int x = (i / photos.size()) * 37 % Math.max(1, photo.getWidth() - 96);
            BufferedImage crop = Images.resize(Images.crop(photo, x, x / 2, 96, 96), SIDE, SIDE);
            Images.writePng(crop, folder.resolve(String.format("img-%02d.png", i)));
        }
    }

    static Stream<Arguments> losses() {
        return Stream.of(
                Arguments.of("l2", "{}", "features"),
                Arguments.of("ssim", "{}", "symmetric pairs"),
                Arguments.of("vgg", "{\"metric\": \"l2\", \"seed\": 3}", "features"),
                // their defaults redraw the random features at every call: the matrix takes one draw
                Arguments.of("mmd-approx", "{}", "features"),
                Arguments.of("mmd++", "{}", "symmetric pairs"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void theMatrixOf40ImagesEqualsThePairedDistancesUnderOneDrawAndIsSymmetric(String loss, String params,
                                                                               String route) throws Exception {
        Path prefix = work.resolve(loss.replace("+", "p"));
        var given = new com.fasterxml.jackson.databind.ObjectMapper().readTree(params);
        List<String> lossArgs = new ArrayList<>(List.of("--loss", loss));
        given.fields().forEachRemaining(e -> lossArgs.addAll(List.of("-p", e.getKey() + "=" + e.getValue())));
        List<String> args = new ArrayList<>(List.of("distance", "--matrix", folder.toString(), "--out",
                prefix.toString()));
        args.addAll(lossArgs);
        PlabRun run = PlabRun.of(args.toArray(String[]::new));
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains(IMAGES + " x " + IMAGES + " distances by " + route);

        List<String> csv = Files.readAllLines(prefix.resolveSibling(prefix.getFileName() + ".csv"));
        assertThat(csv).hasSize(IMAGES + 1);
        assertThat(csv.get(0)).startsWith("image,img-00.png,img-01.png");
        for (int[] pair : new int[][] {{0, 3}, {29, 17}}) {
            List<String> paired = new ArrayList<>(List.of("distance",
                    folder.resolve(String.format("img-%02d.png", pair[0])).toString(),
                    folder.resolve(String.format("img-%02d.png", pair[1])).toString()));
            paired.addAll(lossArgs);
            PlabRun one = PlabRun.of(paired.toArray(String[]::new));
            assertThat(one.exit()).as(one.err()).isZero();
            double byCommand = Double.parseDouble(one.out().lines().filter(l -> l.startsWith("0\t")).findFirst()
                    .orElseThrow().split("\t")[1]);
            double inMatrix = Double.parseDouble(csv.get(pair[0] + 1).split(",")[pair[1] + 1]);
            assertThat(byCommand).as("plab distance of images %d and %d against the matrix's entry", pair[0], pair[1])
                    .isCloseTo(inMatrix, within(1e-5 * Math.abs(inMatrix)));
        }
        try (Lab lab = new Lab(Settings.fromEnvironment()); NDManager m = lab.manager().newSubManager();
             Loss created = lab.createLoss(new LossSpec(loss, (com.fasterxml.jackson.databind.node.ObjectNode) given), m);
             OneDraw draw = OneDraw.of(created, false)) {
            Loss l = draw.loss(); // a fresh loss of the same seed: the same draw as the command's
            NDArray matrix = NumpyArrays.readNpy(m, prefix.resolveSibling(prefix.getFileName() + ".npy"));
            assertThat(matrix.getShape().getShape()).containsExactly(IMAGES, IMAGES);
            assertThat(matrix.getDataType()).isEqualTo(DataType.FLOAT64);
            double[] values = matrix.toDoubleArray();
            NDList images = new NDList();
            for (int i = 0; i < IMAGES; i++) {
                images.add(Images.load(m, folder.resolve(String.format("img-%02d.png", i)), 3, 0, 0));
            }
            NDArray all = NDArrays.concat(images, 0);
            for (int i = 0; i < IMAGES; i++) {
                NDArray row = all.get(i + ":" + (i + 1)).repeat(0, IMAGES);
                double[] paired = l.distance(row, all).toType(DataType.FLOAT64, false).toDoubleArray();
                String[] cells = csv.get(i + 1).split(",");
                assertThat(cells[0]).isEqualTo(String.format("img-%02d.png", i));
                for (int j = 0; j < IMAGES; j++) {
                    double expected = i == j && route.equals("features") ? 0 : paired[j];
                    assertThat(values[i * IMAGES + j]).as("d(%d, %d)", i, j)
                            .isCloseTo(expected, within(1e-5 * Math.abs(expected) + 1e-9));
                    assertThat(Double.parseDouble(cells[j + 1])).isEqualTo(values[i * IMAGES + j]);
                    assertThat(values[j * IMAGES + i]).as("d(%d, %d) against d(%d, %d)", j, i, i, j)
                            .isCloseTo(values[i * IMAGES + j], within(1e-5 * Math.abs(values[i * IMAGES + j]) + 1e-9));
                }
            }
        }
    }

    @Test
    void twoFoldersGiveTheirRectangleAndAFolderWithoutImagesIsBadInput() throws Exception {
        Path some = work.resolve("some");
        Files.createDirectories(some);
        for (int i = 0; i < 3; i++) {
            Files.copy(folder.resolve(String.format("img-%02d.png", i)), some.resolve("s" + i + ".png"));
        }
        Path prefix = work.resolve("rect");
        PlabRun run = PlabRun.of("distance", "--matrix", folder.toString(), some.toString(), "--loss", "l1",
                "--out", prefix.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("40 x 3 distances by pairs (120 pair evaluations)");
        assertThat(Files.readAllLines(work.resolve("rect.csv")).get(0)).isEqualTo("image,s0.png,s1.png,s2.png");

        Path empty = work.resolve("empty");
        Files.createDirectories(empty);
        PlabRun bad = PlabRun.of("distance", "--matrix", empty.toString(), "--loss", "l1");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("holds no images").doesNotContain("Exception");
    }
}
