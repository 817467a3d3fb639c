package org.perceptuallab.host.provenance;

import org.perceptuallab.api.PlabException;

/**
 * Maven coordinates of a plugin jar: {@code group:artifact:version}, where the version may be a Maven range
 * such as {@code [1.0,2.0)}; {@code group:artifact} alone means the newest version.
 */
public record Coordinates(String groupId, String artifactId, String version) {
    /** The range that {@code group:artifact} without a version stands for. */
    public static final String NEWEST = "[0,)";
    private static final String[] PARTS = {"group", "artifact", "version"};

    public static Coordinates parse(String text) {
        String[] parts = text.trim().split(":");
        boolean valid = (parts.length == 2 || parts.length == 3) && !parts[0].isBlank() && !parts[1].isBlank()
                && (parts.length == 2 || !parts[2].isBlank());
        if (!valid) {
            throw new PlabException("'" + text + "' are not plugin coordinates: write group:artifact:version (for"
                    + " example org.example:charbonnier-loss-plugin:1.0.0), a version range such as"
                    + " org.example:charbonnier-loss-plugin:[1.0,2.0), or a path to a .jar file");
        }
        // Coordinates become paths in repositories and plugin folders: Maven's characters only, no '/' and
        // no part of dots alone, so that none leads out of its folder.
        for (int i = 0; i < parts.length; i++) {
            String allowed = i < 2 ? "[A-Za-z0-9_.-]+" : "[A-Za-z0-9_.+ ,()\\[\\]-]+";
            if (!parts[i].matches(allowed) || parts[i].matches("\\.+")) {
                throw new PlabException("'" + text + "' are not plugin coordinates: its " + PARTS[i] + " '" + parts[i]
                        + "' may hold letters, digits and " + (i < 2 ? "'.', '_', '-'" : "'.', '_', '-', '+' and a"
                        + " range's brackets and comma") + ", and not dots alone (as Maven's coordinates)");
            }
        }
        return new Coordinates(parts[0], parts[1], parts.length == 3 ? parts[2] : NEWEST);
    }

    /** Whether the version is a range (or absent) rather than one version. */
    public boolean isRange() {
        return version.startsWith("[") || version.startsWith("(");
    }

    public Coordinates withVersion(String exact) {
        return new Coordinates(groupId, artifactId, exact);
    }

    /** {@code group:artifact}, the plugin's identity across versions. */
    public String key() {
        return groupId + ":" + artifactId;
    }

    @Override
    public String toString() {
        return groupId + ":" + artifactId + ":" + version;
    }
}
