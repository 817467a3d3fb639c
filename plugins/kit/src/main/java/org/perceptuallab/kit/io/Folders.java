package org.perceptuallab.kit.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Folder operations the plugins and the host share. */
public final class Folders {
    private Folders() {
    }

    /**
     * Deletes {@code dir} and everything below it, deepest first; nothing when it does not exist. A link is
     * deleted, not followed.
     */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                return; // removed meanwhile by someone else: the goal is reached
            }
            throw e.getCause();
        }
    }
}
