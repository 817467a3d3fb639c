package org.perceptuallab.runtime.catalog;

import java.security.CodeSource;
import org.perceptuallab.api.PlabException;

/**
 * A plugin's own code failed: it threw something other than a {@link PlabException}, or returned what no
 * loss may return. The message names the extension, the plugin and its jar; the host reports it (exit 1,
 * or a failed matrix cell) and goes on, since the fault lies with the plugin, not with the user's input.
 */
public final class PluginFailure extends PlabException {
    private static final long serialVersionUID = 1L;

    private PluginFailure(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * @param what the failed step, e.g. {@code loss 'boom': distance}
     * @param code a class of the plugin (its jar is named)
     * @param origin the registry's origin of the extension, e.g. {@code plugin boom 1.0.0}
     * @param cause what the plugin threw, or null
     * @param problem what went wrong when nothing was thrown, or null
     */
    public static PluginFailure of(String what, Class<?> code, String origin, Throwable cause, String problem) {
        String reason = problem != null ? problem : describe(cause);
        return new PluginFailure(what + " failed in " + origin + " (" + location(code) + "): " + reason
                + "; this is a fault of that plugin: report it to its author, or remove its jar from the plugin"
                + " folder (--verbose shows the stack trace)", cause);
    }

    /** Wraps a plugin's throwable; a {@link PlabException} (an actionable message) passes unchanged. */
    public static RuntimeException wrap(String what, Class<?> code, String origin, Throwable cause) {
        if (cause instanceof PlabException plab) {
            return plab;
        }
        return of(what, code, origin, cause, null);
    }

    /**
     * What the plugin threw: the root cause, since reflection and PF4J wrap it, and whether a static
     * initialiser threw it.
     */
    public static String describe(Throwable t) {
        Throwable root = t;
        boolean staticInit = false;
        while (root.getCause() != null && root.getCause() != root) {
            staticInit |= root instanceof ExceptionInInitializerError;
            root = root.getCause();
        }
        return root + (staticInit ? " (in a static initialiser)" : "");
    }

    /** Where a class was loaded from (a plugin's jar), or its name when unknown. */
    public static String location(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        return source == null || source.getLocation() == null ? type.getName() : source.getLocation().getPath();
    }
}
