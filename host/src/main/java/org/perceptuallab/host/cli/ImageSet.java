package org.perceptuallab.host.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.io.Images;

/**
 * The images of one side of a distance matrix: a folder's image files in name order (all of one size, or
 * resized to one), or the N images of one (N, C, H, W) tensor file, with a name for each row.
 *
 * @param names a file name per image, or {@code FILE[i]} for a tensor's
 * @param images the batch (N, C, H, W)
 */
record ImageSet(List<String> names, NDArray images) {

    /** Reads a single input file as a batch; the distance command's own reader. */
    interface Loader {
        NDArray load(NDManager manager, Path file, int[] size);
    }

    static ImageSet read(NDManager manager, Path path, int[] size, Loader loader) throws IOException {
        if (!Files.isDirectory(path)) {
            if (!Files.isRegularFile(Path.of(path.toString().replaceFirst("\\.npz:.*$", ".npz")))) {
                throw new PlabException(path + " does not exist; give a folder of images or a (N, C, H, W) tensor file");
            }
            NDArray batch = loader.load(manager, path, size);
            String file = path.getFileName().toString();
            return new ImageSet(IntStream.range(0, (int) batch.getShape().get(0)).mapToObj(i -> file + "[" + i + "]")
                    .toList(), batch);
        }
        List<Path> files = imageFiles(path);
        NDList loaded = new NDList();
        List<String> names = new ArrayList<>();
        for (Path f : files) {
            NDArray image = loader.load(manager, f, size);
            if (!loaded.isEmpty() && !loaded.get(0).getShape().equals(image.getShape())) {
                throw new PlabException("in " + path + ", " + f.getFileName() + " is " + image.getShape() + " but "
                        + names.get(0) + " is " + loaded.get(0).getShape() + "; pass --resize WxH to compare"
                        + " images of different sizes");
            }
            loaded.add(image);
            names.add(f.getFileName().toString());
        }
        return new ImageSet(names, NDArrays.concat(loaded, 0));
    }

    /** The image files of a folder, in name order; none is an error. */
    static List<Path> imageFiles(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new PlabException(folder + " is not a folder; give a folder of images");
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(folder)) {
            files = list.filter(f -> Files.isRegularFile(f) && Images.isImageFile(f)).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new PlabException("folder " + folder + " holds no images (" + String.join(", ", Images.SUFFIXES)
                    + "); give a folder of images");
        }
        return files;
    }
}
