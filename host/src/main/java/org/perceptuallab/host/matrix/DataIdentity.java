package org.perceptuallab.host.matrix;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.perceptuallab.api.PlabException;

/**
 * What data a result came from: the path and a SHA-256 over the relative names and bytes of every file
 * (sorted), so that a renamed, added or changed file changes the identity.
 */
final class DataIdentity {
    private DataIdentity() {
    }

    static ObjectNode of(Path path) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("path", path.toAbsolutePath().normalize().toString());
        if (!Files.exists(path)) {
            out.put("sha256", "missing");
            return out;
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            List<Path> files;
            try (Stream<Path> walk = Files.walk(path)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            byte[] buffer = new byte[1 << 16];
            for (Path f : files) {
                digest.update(path.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                update(digest, f, buffer);
            }
            out.put("files", files.size());
            out.put("sha256", HexFormat.of().formatHex(digest.digest()));
            return out;
        } catch (IOException e) {
            throw new PlabException("cannot read data " + path + " to hash it: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest digest, Path file, byte[] buffer) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
    }
}
