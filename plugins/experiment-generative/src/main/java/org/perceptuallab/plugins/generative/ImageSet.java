package org.perceptuallab.plugins.generative;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.io.Images;
import org.perceptuallab.kit.io.LabelledImages;

/**
 * The training and held-out images of a cell: read from an image folder (flat or one folder per class), IDX
 * or CIFAR-10 files ({@link LabelledImages}), resized and centre-cropped to size x size, grey or colour; an
 * optional seeded subset, then a held-out fraction drawn by the seed. Each part keeps the reading order.
 *
 * @param train (N, C, S, S) in [-1, 1]
 * @param heldOut (M, C, S, S), M may be 0 (then null)
 * @param trainSources the index of each training image in the data as read
 */
record ImageSet(NDArray train, NDArray heldOut, int[] trainSources) {

    int trainCount() {
        return (int) train.getShape().get(0);
    }

    int heldOutCount() {
        return heldOut == null ? 0 : (int) heldOut.getShape().get(0);
    }

    static ImageSet read(String owner, Path path, int size, boolean gray, int maxImages, double heldOutFraction,
                         long seed, NDManager manager) throws IOException {
        List<BufferedImage> images = LabelledImages.read(owner, path, size, 0, seed).images();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        List<Integer> kept = maxImages > 0 ? order.subList(0, Math.min(maxImages, order.size())) : order;
        int heldOutCount = (int) Math.round(heldOutFraction * kept.size());
        List<Integer> heldOut = new ArrayList<>(kept.subList(0, heldOutCount));
        List<Integer> train = new ArrayList<>(kept.subList(heldOutCount, kept.size()));
        if (train.isEmpty()) {
            throw new PlabException(owner + ": no training images are left (" + kept.size() + " images, 'heldOut' "
                    + heldOutFraction + "); lower 'heldOut' or give more data");
        }
        Collections.sort(heldOut);
        Collections.sort(train);
        int channels = gray ? 1 : 3;
        return new ImageSet(stack(manager, images, train, channels),
                heldOut.isEmpty() ? null : stack(manager, images, heldOut, channels),
                train.stream().mapToInt(Integer::intValue).toArray());
    }

    private static NDArray stack(NDManager manager, List<BufferedImage> images, List<Integer> which, int channels) {
        try (NDManager scope = manager.newSubManager()) {
            NDList list = new NDList();
            for (int i : which) {
                list.add(Images.toTensor(scope, images.get(i), channels));
            }
            NDArray all = NDArrays.concat(list, 0);
            all.attach(manager);
            return all;
        }
    }
}
