package org.perceptuallab.api;

/**
 * An error a person can act on: the message names the thing at fault (a loss, a parameter, a file) and,
 * where there is one, the fix. Thrown for bad input, bad parameters, missing files and broken plugins.
 */
public class PlabException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PlabException(String message) {
        super(message);
    }

    public PlabException(String message, Throwable cause) {
        super(message, cause);
    }
}
