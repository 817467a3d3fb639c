package org.perceptuallab.host;

import java.util.Locale;

/**
 * Text from plugin jars, manifests, POMs, keys and records made safe for a terminal: a plugin id holding an
 * escape sequence must not recolour, move the cursor or rewrite a line, and one holding a line break must not
 * forge a line of output.
 */
public final class Terminal {
    private Terminal() {
    }

    /**
     * {@code text} with every control character (C0 including line breaks and ESC, DEL, C1), line and paragraph
     * separator and invisible format character (bidirectional overrides among them) written as a visible
     * {@code \}{@code uXXXX}; other text unchanged. Idempotent, so text escaped twice reads the same; null
     * gives "null".
     */
    public static String safe(String text) {
        if (text == null) {
            return "null";
        }
        if (text.codePoints().noneMatch(Terminal::hidden)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(c -> {
            if (hidden(c)) {
                out.append(String.format(Locale.ROOT, "\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    private static boolean hidden(int c) {
        int type = Character.getType(c);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }
}
