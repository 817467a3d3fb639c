package org.perceptuallab.kit.weights;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.perceptuallab.api.PlabException;

/**
 * Turns a user's choice of weights into a file: a path (absolute, relative to the working folder, or a file
 * name inside the user's weights folder, PLAB_WEIGHTS_DIR), or the word {@code pretrained}, which names the
 * published file (torchvision's, LPIPS's, pytorch-fid's) by its published name inside the weights folder. When
 * the file is absent the error says what to download and where to put it; nothing is ever downloaded.
 */
public final class WeightsLocator {
    /** The value that asks for the published weights. */
    public static final String PRETRAINED = "pretrained";

    private WeightsLocator() {
    }

    /**
     * @param owner the loss or command, for messages
     * @param setting how the user gives the value, for messages ({@code parameter 'weights'}, {@code --weights})
     * @param value the value given
     * @param weightsDir the user's weights folder, if set
     * @param publishedName where the published file sits inside the weights folder
     * @param publishedUrl where it can be downloaded
     */
    public static Path locate(String owner, String setting, String value, Optional<Path> weightsDir,
                              String publishedName, String publishedUrl) {
        if (PRETRAINED.equals(value)) {
            String fix = "download " + publishedUrl + " and save it as ";
            if (weightsDir.isEmpty()) {
                throw new PlabException(owner + ": " + setting + " is 'pretrained' but no weights folder is set;"
                        + " set PLAB_WEIGHTS_DIR (or the weightsDir setting) to a folder, then " + fix
                        + "<that folder>/" + publishedName);
            }
            Path file = weightsDir.get().resolve(publishedName);
            if (!Files.isRegularFile(file)) {
                throw new PlabException(owner + ": " + setting + " is 'pretrained' but " + file.toAbsolutePath()
                        + " does not exist; " + fix + file.toAbsolutePath());
            }
            return file;
        }
        Path given = Path.of(value);
        if (Files.isRegularFile(given)) {
            return given;
        }
        if (weightsDir.isPresent() && !given.isAbsolute() && Files.isRegularFile(weightsDir.get().resolve(value))) {
            return weightsDir.get().resolve(value);
        }
        throw new PlabException(owner + ": " + setting + " names " + value + ", which does not exist"
                + (weightsDir.isPresent() ? " (nor in the weights folder " + weightsDir.get() + ")" : "")
                + "; give the path of a .pth, .safetensors or .npz file, or 'pretrained' for " + publishedName);
    }

    /**
     * Several files of one loss looked for together, so that one message names every one that is absent (and
     * where to download it) instead of the user finding them one run at a time.
     */
    public static final class Search {
        private final String owner;
        private final Optional<Path> weightsDir;
        private final List<String> absent = new ArrayList<>();

        /** @param owner the loss, for messages ({@code loss 'lpips'}) */
        public Search(String owner, Optional<Path> weightsDir) {
            this.owner = owner;
            this.weightsDir = weightsDir;
        }

        /** As {@link WeightsLocator#locate}, but an absent file is noted and gives null. */
        public Path locate(String setting, String value, String publishedName, String publishedUrl) {
            try {
                return WeightsLocator.locate(owner, setting, value, weightsDir, publishedName, publishedUrl);
            } catch (PlabException e) {
                String message = e.getMessage();
                absent.add(message.startsWith(owner + ": ") ? message.substring(owner.length() + 2) : message);
                return null;
            }
        }

        /** Fails naming every absent file, if any was. */
        public void requireAllFound() {
            if (!absent.isEmpty()) {
                throw new PlabException(owner + ": " + String.join("; and ", absent));
            }
        }
    }
}
