package org.perceptuallab.kit.io;

import java.awt.image.BufferedImage;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.perceptuallab.api.PlabException;

/**
 * A labelled image set, read from the layouts people have, each image resized (shorter side) and
 * centre-cropped to a square:
 * <ul>
 *   <li>a folder with one sub-folder per class holding images (any format the host reads);</li>
 *   <li>a flat folder of images: one class, named after the folder;</li>
 *   <li>IDX files (MNIST, Fashion-MNIST; gzipped or not): the images file {@code *-images-idx3-ubyte[.gz]},
 *       its labels beside it as {@code *-labels-idx1-ubyte[.gz]}; or a folder holding one such pair;</li>
 *   <li>the CIFAR-10 binary batches: a {@code cifar-10-batches-bin} folder (every {@code data_batch_*.bin}
 *       and {@code test_batch.bin} in it, class names from {@code batches.meta.txt}) or one batch file.</li>
 * </ul>
 *
 * @param classes class names, by label
 * @param labels the label of each image
 * @param images the images, size x size
 */
public record LabelledImages(List<String> classes, int[] labels, List<BufferedImage> images) {
    private static final int CIFAR_SIDE = 32;

    /** How many images. */
    public int size() {
        return labels.length;
    }

    /**
     * Reads the set at {@code path}; keeps at most {@code maxPerClass} images per class (0: all), drawn by seed.
     *
     * @param owner who reads it, named in error messages (for example {@code experiment 'clustering'})
     */
    public static LabelledImages read(String owner, Path path, int size, int maxPerClass, long seed)
            throws IOException {
        if (!Files.exists(path)) {
            throw new PlabException(owner + ": data " + path + " does not exist; give a folder of images (flat, or"
                    + " one sub-folder per class), an IDX images file, or a cifar-10-batches-bin folder");
        }
        Raw raw;
        try {
            raw = readRaw(path);
        } catch (PlabException e) {
            throw new PlabException(owner + ": " + e.getMessage(), e);
        } catch (EOFException e) {
            throw new PlabException(owner + ": a file of " + path + " is truncated inside its header", e);
        } catch (IOException e) {
            throw new PlabException(owner + ": " + InputFiles.cannotRead(path, e).getMessage(), e);
        }
        if (raw.labels.isEmpty()) {
            throw new PlabException(owner + ": no labelled images in " + path);
        }
        List<Integer> keep = subsample(raw.labels, raw.classes.size(), maxPerClass, seed);
        int[] labels = new int[keep.size()];
        List<BufferedImage> images = new ArrayList<>(keep.size());
        for (int i = 0; i < keep.size(); i++) {
            labels[i] = raw.labels.get(keep.get(i));
            images.add(Images.centreSquare(raw.images.get(keep.get(i)).load(), size));
        }
        return new LabelledImages(raw.classes, labels, images);
    }

    /** Indices kept: every image, or per class a seeded draw of {@code maxPerClass}, in the original order. */
    public static List<Integer> subsample(List<Integer> labels, int classes, int maxPerClass, long seed) {
        List<Integer> keep = new ArrayList<>();
        if (maxPerClass <= 0) {
            for (int i = 0; i < labels.size(); i++) {
                keep.add(i);
            }
            return keep;
        }
        Random random = new Random(seed);
        for (int c = 0; c < classes; c++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < labels.size(); i++) {
                if (labels.get(i) == c) {
                    members.add(i);
                }
            }
            Collections.shuffle(members, random);
            keep.addAll(members.subList(0, Math.min(maxPerClass, members.size())));
        }
        Collections.sort(keep);
        return keep;
    }

    /** An image not decoded until needed, so that subsampling a large set decodes only what it keeps. */
    private interface Source {
        BufferedImage load();
    }

    private record Raw(List<String> classes, List<Integer> labels, List<Source> images) {
    }

    private static Raw readRaw(Path path) throws IOException {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!Files.isDirectory(path)) {
            InputFiles.requireFile(path, "data (IDX or CIFAR-10)");
            if (name.contains("idx3-ubyte")) {
                return readIdx(path);
            }
            if (name.endsWith(".bin")) {
                return readCifar(List.of(path), path.resolveSibling("batches.meta.txt"));
            }
            throw new PlabException("cannot tell the layout of " + path + "; give a folder"
                    + " with one sub-folder per class, an IDX images file (*-images-idx3-ubyte[.gz]), or a CIFAR-10"
                    + " batch (*.bin)");
        }
        List<Path> entries;
        try (Stream<Path> s = Files.list(path)) {
            entries = s.sorted().toList();
        }
        List<Path> batches = entries.stream().filter(p -> p.getFileName().toString().matches(
                "(data_batch_\\d+|test_batch)\\.bin")).toList();
        if (!batches.isEmpty()) {
            return readCifar(batches, path.resolve("batches.meta.txt"));
        }
        List<Path> idx = entries.stream().filter(p -> p.getFileName().toString().contains("idx3-ubyte")).toList();
        if (idx.size() == 1) {
            return readIdx(idx.get(0));
        }
        if (idx.size() > 1) {
            throw new PlabException("" + path + " holds several IDX image files " + idx
                    + "; give one of them as data");
        }
        return readFolders(path, entries);
    }

    /** One class per sub-folder holding images; a folder holding images itself is one class of its own name. */
    private static Raw readFolders(Path root, List<Path> entries) throws IOException {
        List<String> classes = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Source> images = new ArrayList<>();
        List<Path> flat = imageFiles(entries);
        if (!flat.isEmpty()) {
            addClass(root, flat, classes, labels, images);
        }
        for (Path dir : entries) {
            if (Files.isDirectory(dir)) {
                List<Path> files;
                try (Stream<Path> s = Files.list(dir)) {
                    files = imageFiles(s.toList());
                }
                if (!files.isEmpty()) {
                    addClass(dir, files, classes, labels, images);
                }
            }
        }
        if (classes.isEmpty()) {
            throw new PlabException(root + " has no images and no class folders with images (expected"
                    + " <data>/*.png|jpg or <data>/<class>/*.png|jpg), no IDX file and no CIFAR-10 batch");
        }
        if (!flat.isEmpty() && classes.size() > 1) {
            throw new PlabException(root + " holds images beside class folders; put every image in a class folder,"
                    + " or all of them in the one folder");
        }
        return new Raw(classes, labels, images);
    }

    private static List<Path> imageFiles(List<Path> entries) {
        return entries.stream().filter(p -> Files.isRegularFile(p) && Images.isImageFile(p)).sorted().toList();
    }

    private static void addClass(Path dir, List<Path> files, List<String> classes, List<Integer> labels,
                                 List<Source> images) {
        int label = classes.size();
        classes.add(dir.getFileName().toString());
        for (Path f : files) {
            labels.add(label);
            images.add(() -> Images.read(f));
        }
    }

    /** IDX: big-endian magic (0x0000 type dims), dimension sizes, then unsigned bytes. */
    private static Raw readIdx(Path imagesFile) throws IOException {
        String fileName = imagesFile.getFileName().toString();
        Path labelsFile = imagesFile.resolveSibling(fileName.replace("images-idx3", "labels-idx1"));
        if (labelsFile.equals(imagesFile) || !Files.exists(labelsFile)) {
            throw new PlabException("the IDX labels for " + imagesFile + " are missing;"
                    + " expected " + labelsFile);
        }
        InputFiles.requireFile(imagesFile, "IDX images");
        InputFiles.requireFile(labelsFile, "IDX labels");
        byte[] pixels;
        int count;
        int rows;
        int cols;
        try (DataInputStream in = new DataInputStream(open(imagesFile))) {
            checkMagic(in.readInt(), 0x803, imagesFile);
            count = in.readInt();
            rows = in.readInt();
            cols = in.readInt();
            if (rows < 1 || cols < 1) {
                throw new PlabException(imagesFile + " is damaged: its images are " + rows + " x " + cols + " pixels");
            }
            pixels = readFully(in, ReadBudget.elements(imagesFile, new long[] {count, rows, cols}), imagesFile);
        }
        byte[] labelBytes;
        try (DataInputStream in = new DataInputStream(open(labelsFile))) {
            checkMagic(in.readInt(), 0x801, labelsFile);
            int labelCount = in.readInt();
            if (labelCount != count) {
                throw new PlabException("" + labelsFile + " holds " + labelCount
                        + " labels for the " + count + " images of " + imagesFile);
            }
            labelBytes = readFully(in, count, labelsFile);
        }
        int maxLabel = 0;
        List<Integer> labels = new ArrayList<>(count);
        List<Source> images = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int label = labelBytes[i] & 0xff;
            maxLabel = Math.max(maxLabel, label);
            labels.add(label);
            int offset = i * rows * cols;
            images.add(() -> grey(pixels, offset, rows, cols));
        }
        List<String> classes = new ArrayList<>();
        for (int c = 0; c <= maxLabel; c++) {
            classes.add(Integer.toString(c));
        }
        return new Raw(classes, labels, images);
    }

    /** CIFAR-10 binary: per record one label byte, then 1024 red, 1024 green, 1024 blue bytes (32x32, rows). */
    private static Raw readCifar(List<Path> batches, Path meta) throws IOException {
        int record = 1 + 3 * CIFAR_SIDE * CIFAR_SIDE;
        List<Integer> labels = new ArrayList<>();
        List<Source> images = new ArrayList<>();
        int maxLabel = 0;
        for (Path batch : batches) {
            InputFiles.requireFile(batch, "CIFAR-10 batch");
            byte[] bytes = Files.readAllBytes(batch);
            if (bytes.length == 0 || bytes.length % record != 0) {
                throw new PlabException("" + batch + " is not a CIFAR-10 binary batch ("
                        + bytes.length + " bytes, not a multiple of " + record + "); it is truncated or another format");
            }
            for (int offset = 0; offset < bytes.length; offset += record) {
                int label = bytes[offset] & 0xff;
                maxLabel = Math.max(maxLabel, label);
                labels.add(label);
                int start = offset + 1;
                images.add(() -> rgb(bytes, start));
            }
        }
        List<String> classes = new ArrayList<>();
        if (Files.isRegularFile(meta)) {
            Files.readAllLines(meta).stream().map(String::trim).filter(s -> !s.isEmpty()).forEach(classes::add);
        }
        for (int c = classes.size(); c <= maxLabel; c++) {
            classes.add(Integer.toString(c));
        }
        return new Raw(classes, labels, images);
    }

    /** The file's bytes, inflated where gzipped: inflated ones count against the file's budget too. */
    private static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file));
        return file.getFileName().toString().endsWith(".gz")
                ? ReadBudget.bounded(new GZIPInputStream(in), file, "its inflated data", ReadBudget.Limit.FILE_BYTES, 0)
                : in;
    }

    private static void checkMagic(int magic, int expected, Path file) {
        if (magic != expected) {
            throw new PlabException(String.format("%s is not an IDX file of the expected"
                    + " kind (magic 0x%08x, expected 0x%08x)", file, magic, expected));
        }
    }

    private static byte[] readFully(DataInputStream in, long length, Path file) throws IOException {
        if (length > Integer.MAX_VALUE) {
            throw new PlabException("" + file + " is too large (" + length + " bytes)");
        }
        // Read as it comes rather than allocated whole: a header may promise more than the file holds.
        byte[] out = in.readNBytes((int) length);
        if (out.length < length) {
            throw new PlabException(file + " is truncated: its header promises " + length + " bytes of data, it"
                    + " holds " + out.length);
        }
        return out;
    }

    private static BufferedImage grey(byte[] pixels, int offset, int rows, int cols) {
        BufferedImage img = new BufferedImage(cols, rows, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < rows; y++) {
            for (int x = 0; x < cols; x++) {
                int v = pixels[offset + y * cols + x] & 0xff;
                img.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        }
        return img;
    }

    private static BufferedImage rgb(byte[] bytes, int start) {
        int plane = CIFAR_SIDE * CIFAR_SIDE;
        BufferedImage img = new BufferedImage(CIFAR_SIDE, CIFAR_SIDE, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < plane; i++) {
            int r = bytes[start + i] & 0xff;
            int g = bytes[start + plane + i] & 0xff;
            int b = bytes[start + 2 * plane + i] & 0xff;
            img.setRGB(i % CIFAR_SIDE, i / CIFAR_SIDE, (r << 16) | (g << 8) | b);
        }
        return img;
    }
}
