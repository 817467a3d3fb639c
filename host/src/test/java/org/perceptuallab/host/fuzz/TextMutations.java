package org.perceptuallab.host.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A valid YAML or JSON text damaged as an edited, truncated or hostile copy would be: characters flipped,
 * ranges cut, lines repeated or swapped, and syntax, path and number tokens inserted (keys given twice,
 * anchors and aliases, tags, {@code ../}, absolute paths, overflowing numbers, XML tags and entities); or its JSON tree with values
 * removed or replaced (well-formed, any content).
 */
public final class TextMutations {
    private static final String[] TOKENS = {": ", "- ", "[", "]", "{", "}", ",", "\"", "'", "&a ", "*a", "!!binary ",
        "!!java.io.File ", "<<: *a", "? ", "|\n", ">\n", "#", "\n", "  ", "\t", "null", "~", "true", "1e309", "-1",
        "99999999999999999999", "0x7fffffff", "..", "../", "../../", "/", "/etc/passwd", "\\\\", "javascript:",
        "${HOME}", "${NO_SUCH_PLAB_VARIABLE}", "\u0000", "\u202e", "\"schema\": 2, ", "\"sha256\": \"0\", ",
        // XML (a repository's maven-metadata.xml): tags, entities (external and nested), CDATA, another encoding
        "<", "</", "/>", "<version>9.9.9</version>", "<!DOCTYPE m [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>", "&x;",
        "<!DOCTYPE m [<!ENTITY a \"aaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>", "&b;", "&amp;", "&#0;",
        "<![CDATA[", "]]>", "<?xml version=\"1.0\" encoding=\"UTF-16\"?>"};
    private static final String[] KEYS = {"name", "output", "losses", "experiments", "plugins", "seed", "device",
        "status", "metrics", "metricTypes", "key", "cells", "matrix", "id", "images", "curves", "coordinates"};

    private static final double[] NUMBERS = {0, -1, 1e308, Double.MIN_VALUE, 2147483648.0};

    private TextMutations() {
    }

    /** {@code seed} with one to eight mutations drawn from {@code draw}. */
    public static String mutate(String seed, long draw) {
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

    /**
     * A copy of {@code tree} with one to eight of its values (at any depth) removed or replaced: by null, an
     * empty object or list, another of its values, a boundary number or one of the tokens as text.
     */
    static JsonNode mutateTree(JsonNode tree, long draw) {
        Random random = new Random(draw);
        JsonNode copy = tree.deepCopy();
        int count = 1 + random.nextInt(8);
        for (int i = 0; i < count; i++) {
            List<JsonNode> containers = new ArrayList<>();
            collect(copy, containers);
            JsonNode parent = containers.get(random.nextInt(containers.size()));
            if (parent.isEmpty()) {
                continue;
            }
            int at = random.nextInt(parent.size());
            JsonNode value = switch (random.nextInt(6)) {
                case 0 -> NullNode.instance;
                case 1 -> random.nextBoolean() ? JsonNodeFactory.instance.objectNode()
                        : JsonNodeFactory.instance.arrayNode();
                case 2 -> containers.get(random.nextInt(containers.size())).deepCopy();
                case 3 -> DoubleNode.valueOf(NUMBERS[random.nextInt(NUMBERS.length)]);
                default -> TextNode.valueOf(TOKENS[random.nextInt(TOKENS.length)]);
            };
            if (parent instanceof ObjectNode object) {
                String field = fieldNames(object).get(at);
                if (random.nextInt(5) == 0) {
                    object.remove(field);
                } else {
                    object.set(field, value);
                }
            } else {
                ((ArrayNode) parent).set(at, value);
            }
        }
        return copy;
    }

    private static void collect(JsonNode node, List<JsonNode> containers) {
        if (node.isContainerNode()) {
            containers.add(node);
            node.forEach(child -> collect(child, containers));
        }
    }

    private static List<String> fieldNames(ObjectNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
