package org.perceptuallab.api;

/**
 * One figure of a result, typed so that the host can rank, format and compare it without guessing from
 * its name.
 *
 * @param value the number (a count is a whole number)
 * @param better which direction is better
 * @param kind what the number is
 */
public record Metric(double value, Better better, Kind kind) {

    /** Which direction of a metric is better. */
    public enum Better {
        HIGHER, LOWER, NEITHER
    }

    /** What a metric's number is, for formatting and for the report's units. */
    public enum Kind {
        /** A share in [0, 1] (a 2AFC score, an F1). */
        FRACTION,
        /** A whole number of things (triplets, clusters). */
        COUNT,
        /** Wall time in seconds. */
        SECONDS,
        /** A value of the loss under study, or of another loss named by the metric. */
        DISTANCE,
        /** Any other real number (sharpness, an objective). */
        VALUE
    }

    public Metric {
        if (better == null || kind == null) {
            throw new IllegalArgumentException("a metric needs a direction and a kind");
        }
        if (kind == Kind.COUNT && value != Math.rint(value)) {
            throw new IllegalArgumentException("a count must be a whole number, got " + value);
        }
    }

    public static Metric fraction(double value, Better better) {
        return new Metric(value, better, Kind.FRACTION);
    }

    public static Metric count(long value) {
        return new Metric(value, Better.NEITHER, Kind.COUNT);
    }

    public static Metric seconds(double value) {
        return new Metric(value, Better.NEITHER, Kind.SECONDS);
    }

    public static Metric distance(double value, Better better) {
        return new Metric(value, better, Kind.DISTANCE);
    }

    public static Metric value(double value, Better better) {
        return new Metric(value, better, Kind.VALUE);
    }

    /** Whether {@code a} is better than {@code b} under this metric's direction (false for NEITHER). */
    public boolean isBetter(double a, double b) {
        return switch (better) {
            case HIGHER -> a > b;
            case LOWER -> a < b;
            case NEITHER -> false;
        };
    }
}
