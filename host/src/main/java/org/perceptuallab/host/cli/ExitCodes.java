package org.perceptuallab.host.cli;

/** The exit codes of every plab command (the root command's help lists them). */
public final class ExitCodes {
    /** A failed check (golden case, matrix cell, a plugin's fault) or an internal error. */
    public static final int FAILED = 1;
    /** Bad usage or bad input: the message says what to fix. */
    public static final int BAD_INPUT = 2;

    private ExitCodes() {
    }
}
