package org.perceptuallab.kit.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.perceptuallab.api.PlabException;

/**
 * The one check of a file a user names as input, made before any reader opens it: it exists, it is a regular
 * file (not a folder, a FIFO or a device such as {@code /dev/zero}, which would block or never end), this
 * process may read it, and it is within {@link ReadBudget.Limit#FILE_BYTES}.
 */
public final class InputFiles {
    private InputFiles() {
    }

    /**
     * @param what what the file should be, e.g. {@code "image (PNG or JPEG)"}
     * @throws PlabException naming the path and what belongs there
     */
    public static void requireFile(Path file, String what) {
        Path path = file.toAbsolutePath();
        if (Files.isDirectory(file)) {
            throw new PlabException(path + " is a folder; give an " + what + " file here");
        }
        if (!Files.exists(file)) {
            throw new PlabException(what + " file not found: " + path);
        }
        if (!Files.isRegularFile(file)) {
            throw new PlabException(path + " is not a regular file (a pipe, a device or a socket); give an " + what
                    + " file here");
        }
        if (!Files.isReadable(file)) {
            throw new PlabException("cannot read " + path + " (permission denied); make the " + what
                    + " file readable for this user");
        }
        try {
            ReadBudget.Limit.FILE_BYTES.check(path, "the file", Files.size(file));
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /** A failed read of {@code file} as the user can act on it: a permission, a missing file, or the system's word. */
    public static PlabException cannotRead(Path file, IOException e) {
        Path path = e instanceof FileSystemException f && f.getFile() != null ? Path.of(f.getFile()).toAbsolutePath()
                : file.toAbsolutePath();
        if (e instanceof AccessDeniedException) {
            return new PlabException("cannot read " + path + " (permission denied); make it readable for this user", e);
        }
        if (e instanceof NoSuchFileException) {
            return new PlabException("file not found: " + path, e);
        }
        return new PlabException("cannot read " + path + ": " + e.getMessage(), e);
    }
}
