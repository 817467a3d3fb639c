package org.perceptuallab.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.perceptuallab.api.PlabException;

/**
 * Paths built from data (a record's file name, a matrix name, a plugin id) kept inside the folder they belong
 * to: whatever a file says, nothing resolved through here reads, writes or deletes outside its root.
 */
public final class ConfinedPaths {
    private ConfinedPaths() {
    }

    /**
     * {@code root/relative}, normalised, refused (exit 2, naming {@code what} and the value) when the value is
     * empty or absolute, when it leaves the root by {@code ..}, names the root itself, or when a symbolic link
     * on its way (one that exists) leads outside the root or nowhere.
     *
     * @param what what the value is, for the message: "the file of plugin 'x' in /home/u/.plab/plugins/plab-installed.json"
     */
    public static Path under(Path root, String relative, String what) {
        if (relative == null || relative.isBlank()) {
            throw refused(what, relative, "it is empty");
        }
        Path given;
        try {
            given = Path.of(relative);
        } catch (InvalidPathException e) {
            throw refused(what, relative, "it is no path (" + e.getReason() + ")");
        }
        // A leading separator or drive is absolute on some system even where Path.isAbsolute says otherwise.
        if (given.isAbsolute() || given.getRoot() != null || relative.startsWith("/") || relative.startsWith("\\")
                || relative.matches("^[A-Za-z]:.*")) {
            throw refused(what, relative, "it is an absolute path");
        }
        Path base = root.toAbsolutePath().normalize();
        Path target = base.resolve(given).normalize();
        if (!target.startsWith(base)) {
            throw refused(what, relative, "it leads out of " + base);
        }
        if (target.equals(base)) {
            throw refused(what, relative, "it names the folder " + base + " itself");
        }
        requireNoLinkOut(base, target, what, relative);
        return target;
    }

    /** Refuses when the deepest existing path on the way to {@code target} really lies outside {@code base}. */
    private static void requireNoLinkOut(Path base, Path target, String what, String relative) {
        Path existing = target;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null || !existing.startsWith(base)) {
            return; // nothing under the root exists yet, so no link under it can lead elsewhere
        }
        try {
            Path realBase = base.toRealPath();
            Path real;
            try {
                real = existing.toRealPath();
            } catch (IOException dangling) {
                // A link to nothing: writing through it would create its target, wherever that is.
                throw refused(what, relative, existing + " is a symbolic link to a missing target");
            }
            if (!real.startsWith(realBase)) {
                throw refused(what, relative, existing + " is a symbolic link to " + real + ", outside " + realBase);
            }
        } catch (IOException e) {
            throw new PlabException("cannot resolve " + base + " to check " + what + ": " + e.getMessage(), e);
        }
    }

    private static PlabException refused(String what, String value, String reason) {
        return new PlabException(what + " is '" + value + "', which is refused: "
                + reason + "; a path in it must stay inside its folder (fix or remove the entry)");
    }
}
