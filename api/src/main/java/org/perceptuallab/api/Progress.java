package org.perceptuallab.api;

/** Progress of one long loop. Close it when the loop ends. */
public interface Progress extends AutoCloseable {

    /** Advances by {@code n} steps. */
    void step(long n);

    /** A short status shown beside the bar, for example the current loss value. */
    void status(String text);

    @Override
    void close();

    /** A progress that shows nothing. */
    static Progress silent() {
        return new Progress() {
            @Override
            public void step(long n) {
            }

            @Override
            public void status(String text) {
            }

            @Override
            public void close() {
            }
        };
    }
}
