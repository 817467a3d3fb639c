package org.perceptuallab.kit.io;

import java.nio.file.Files;
import java.nio.file.Path;
import org.perceptuallab.api.PlabException;

/** The one check of a file a user names as input: it exists, and it is a file rather than a folder. */
public final class InputFiles {
    private InputFiles() {
    }

    /**
     * @param what what the file should be, e.g. {@code "image (PNG or JPEG)"}
     * @throws PlabException naming the path and what belongs there
     */
    public static void requireFile(Path file, String what) {
        if (Files.isDirectory(file)) {
            throw new PlabException(file.toAbsolutePath() + " is a folder; give an " + what + " file here");
        }
        if (!Files.isRegularFile(file)) {
            throw new PlabException(what + " file not found: " + file.toAbsolutePath());
        }
    }
}
