package org.perceptuallab.host.web;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per key (a token's digest): up to {@code burst} requests at once, refilled at {@code perSecond}.
 * Keys are only those of known tokens, so the map grows with the raters, not with what a client sends.
 */
final class RateLimiter {
    private final double perSecond;
    private final double burst;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    RateLimiter(double perSecond, int burst) {
        this.perSecond = perSecond;
        this.burst = burst;
    }

    /** Takes one request from the key's bucket; false when it is empty. */
    boolean tryAcquire(String key) {
        return buckets.computeIfAbsent(key, k -> new Bucket(burst)).take(perSecond, burst, System.nanoTime());
    }

    private static final class Bucket {
        private double level;
        private long lastNanos = System.nanoTime();

        Bucket(double level) {
            this.level = level;
        }

        synchronized boolean take(double perSecond, double burst, long now) {
            level = Math.min(burst, level + (now - lastNanos) / 1e9 * perSecond);
            lastNanos = now;
            if (level < 1) {
                return false;
            }
            level -= 1;
            return true;
        }
    }
}
