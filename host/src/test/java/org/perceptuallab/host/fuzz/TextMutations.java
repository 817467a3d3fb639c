package org.perceptuallab.host.fuzz;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A valid YAML or JSON text damaged as an edited, truncated or hostile copy would be: characters flipped,
 * ranges cut, lines repeated or swapped, and syntax, path and number tokens inserted (keys given twice,
 * anchors and aliases, tags, {@code ../}, absolute paths, overflowing numbers).
 */
final class TextMutations {
    private static final String[] TOKENS = {": ", "- ", "[", "]", "{", "}", ",", "\"", "'", "&a ", "*a", "!!binary ",
        "!!java.io.File ", "<<: *a", "? ", "|\n", ">\n", "#", "\n", "  ", "\t", "null", "~", "true", "1e309", "-1",
        "99999999999999999999", "0x7fffffff", "..", "../", "../../", "/", "/etc/passwd", "\\\\", "javascript:",
        "${HOME}", "${NO_SUCH_PLAB_VARIABLE}", "\u0000", "\u202e", "\"schema\": 2, ", "\"sha256\": \"0\", "};
    private static final String[] KEYS = {"name", "output", "losses", "experiments", "plugins", "seed", "device",
        "status", "metrics", "metricTypes", "key", "cells", "matrix", "id", "images", "curves", "coordinates"};

    private TextMutations() {
    }

    /** {@code seed} with one to eight mutations drawn from {@code draw}. */
    static String mutate(String seed, long draw) {
        Random random = new Random(draw);
        StringBuilder text = new StringBuilder(seed);
        int count = 1 + random.nextInt(8);
        for (int i = 0; i < count; i++) {
            int at = text.isEmpty() ? 0 : random.nextInt(text.length());
            switch (random.nextInt(8)) {
                case 0 -> {
                    if (!text.isEmpty()) {
                        text.setCharAt(at, (char) (text.charAt(at) ^ (1 << random.nextInt(7))));
                    }
                }
                case 1 -> text.delete(at, Math.min(text.length(), at + 1 + random.nextInt(24)));
                case 2 -> text.setLength(at);
                case 3 -> text.insert(at, TOKENS[random.nextInt(TOKENS.length)]);
                case 4 -> text.insert(at, KEYS[random.nextInt(KEYS.length)] + TOKENS[random.nextInt(3)]);
                case 5 -> text.insert(at, text.substring(at, Math.min(text.length(), at + 1 + random.nextInt(80))));
                default -> {
                    List<String> lines = new ArrayList<>(List.of(text.toString().split("\n", -1)));
                    int a = random.nextInt(lines.size());
                    int b = random.nextInt(lines.size());
                    if (random.nextBoolean()) {
                        Collections.swap(lines, a, b);
                    } else {
                        lines.add(b, lines.get(a));
                    }
                    text.setLength(0);
                    text.append(String.join("\n", lines));
                }
            }
        }
        return text.toString();
    }
}
