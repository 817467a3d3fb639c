package org.perceptuallab.host.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.perceptuallab.api.PlabException;

/**
 * The host's one place for JSON files: the mapper every file is read and written with, and atomic writes
 * (a temporary name, then a rename), so that a reader sees a whole file or none and a full disk leaves the
 * file as it was.
 */
public final class JsonFiles {
    /**
     * The JSON mapper of every file the host writes; a key given twice in an object is an error, not "the last
     * wins" (an edited file would otherwise say one thing to a reader and another to plab).
     */
    public static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    /** How every file's text reaches its temporary file. */
    public static final TextWriter FILES = (file, text) -> Files.writeString(file, text, StandardCharsets.UTF_8);

    /** Writes {@code text} to {@code file}; the seam through which a full disk is simulated. */
    @FunctionalInterface
    public interface TextWriter {
        void write(Path file, String text) throws IOException;
    }

    private JsonFiles() {
    }

    /** Writes JSON to {@code file} atomically. */
    public static void writeJson(Path file, JsonNode node) {
        try {
            writeAtomically(file, JSON.writeValueAsString(node));
        } catch (IOException e) {
            throw new PlabException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes text to a temporary file beside {@code file}, then moves it into place atomically. */
    public static void writeAtomically(Path file, String text) {
        writeAtomically(file, text, FILES);
    }

    /**
     * As {@link #writeAtomically(Path, String)}, through {@code writer}. A failed write (a full disk) removes
     * its temporary file and leaves {@code file} as it was; the message says what to do.
     */
    public static void writeAtomically(Path file, String text, TextWriter writer) {
        Path tmp = null;
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            writer.write(tmp, text);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            deleteQuietly(tmp, e);
            throw new PlabException("cannot write " + file + ": " + e.getMessage() + fullDiskAdvice(e), e);
        }
    }

    /** Removes a temporary file after a failed write; one that cannot go is noted on the failure. */
    private static void deleteQuietly(Path tmp, IOException failure) {
        if (tmp != null) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
        }
    }

    /**
     * What to do where the file system said it is out of space (ENOSPC) or over quota (EDQUOT), else empty.
     * Every file is written whole or not at all, so what was finished before is still there.
     */
    public static String fullDiskAdvice(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (message.contains("No space left on device") || message.contains("Disk quota exceeded")) {
                return "; the disk is full: free some space and run the command again (finished cells are kept)";
            }
        }
        return "";
    }
}
