package org.perceptuallab.runtime.golden;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;

/**
 * One case of a golden directory: a loss, its parameters, and the .npz holding x, y, the expected
 * per-pair values and any injected random draws.
 *
 * @param name the case name (the .npz stem)
 * @param lossId the loss family id
 * @param params the parameters as written, with file names resolved against the directory
 * @param arrays the .npz file
 * @param missingFiles the weight files the parameters name that are in none of the suite's folders
 */
public record GoldenCase(String name, String lossId, ObjectNode params, Path arrays, List<String> missingFiles) {

    public GoldenCase {
        missingFiles = List.copyOf(missingFiles);
    }

    /** The relative tolerance: 5e-4 for the losses the golden README names, 1e-4 otherwise. */
    public double relativeTolerance() {
        boolean loose = switch (lossId) {
            case "ssim", "mmd-exact", "patch-mmd" -> true;
            case "vgg", "alexnet" -> "cx".equals(params.path("metric").asText());
            default -> false;
        };
        return loose ? 5e-4 : 1e-4;
    }

    /** The absolute tolerance for values near zero. */
    public double absoluteTolerance() {
        return 1e-7;
    }
}
