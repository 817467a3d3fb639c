package org.perceptuallab.plugins.deep;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.perceptuallab.api.LossContext;
import org.perceptuallab.api.PlabException;

/**
 * Turns a {@code weights} parameter into a file: a path (absolute, relative to the working folder, or a
 * file name inside the user's weights folder), or the word {@code pretrained}, which names the published
 * file (torchvision's, LPIPS's) by its published name inside the weights folder. When the file is absent
 * the error says what to download and where to put it.
 */
final class WeightsLocator {
    /** The parameter value that asks for the published weights. */
    static final String PRETRAINED = "pretrained";

    private WeightsLocator() {
    }

    /**
     * @param owner the loss, for messages
     * @param parameter the parameter's name
     * @param value the parameter's value
     * @param publishedName where the published file sits inside the weights folder
     * @param publishedUrl where it can be downloaded
     */
    static Path locate(String owner, String parameter, String value, LossContext context, String publishedName,
                       String publishedUrl) {
        Optional<Path> dir = context.weightsDir();
        if (PRETRAINED.equals(value)) {
            String fix = "download " + publishedUrl + " and save it as ";
            if (dir.isEmpty()) {
                throw new PlabException(owner + ": parameter '" + parameter + "' is 'pretrained' but no weights "
                        + "folder is set; set PLAB_WEIGHTS_DIR (or the weightsDir setting) to a folder, then "
                        + fix + "<that folder>/" + publishedName);
            }
            Path file = dir.get().resolve(publishedName);
            if (!Files.isRegularFile(file)) {
                throw new PlabException(owner + ": parameter '" + parameter + "' is 'pretrained' but "
                        + file.toAbsolutePath() + " does not exist; " + fix + file.toAbsolutePath());
            }
            return file;
        }
        Path given = Path.of(value);
        if (Files.isRegularFile(given)) {
            return given;
        }
        if (dir.isPresent() && !given.isAbsolute() && Files.isRegularFile(dir.get().resolve(value))) {
            return dir.get().resolve(value);
        }
        throw new PlabException(owner + ": parameter '" + parameter + "' names " + value + ", which does not exist"
                + (dir.isPresent() ? " (nor in the weights folder " + dir.get() + ")" : "")
                + "; give the path of a .pth, .safetensors or .npz file, or 'pretrained' for " + publishedName);
    }
}
