package org.perceptuallab.host.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Bearer tokens: 128 random bits as hex, kept only as their SHA-256 digest, so a copied database grants nothing. */
public final class Tokens {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {
    }

    /** A fresh token: 32 hex digits. */
    public static String newToken() {
        byte[] bits = new byte[16];
        RANDOM.nextBytes(bits);
        return HexFormat.of().formatHex(bits);
    }

    /** The digest stored for a token (64 hex digits). */
    public static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Whether the text has a token's form; anything else is refused before a database look-up. */
    public static boolean wellFormed(String text) {
        return text != null && text.matches("[0-9a-f]{32}");
    }
}
