package org.hotspotbilling.web;

import java.time.Duration;
import java.util.Map;

/** 429 with a Retry-After header (whole seconds, at least 1) and {"error": "..."}. */
public class TooManyRequests extends ApiException {

    private final long retryAfterSeconds;

    /** The caller may try again after {@code retryAfter}, rounded up to whole seconds. */
    public TooManyRequests(Duration retryAfter) {
        this(wholeSeconds(retryAfter));
    }

    private TooManyRequests(long retryAfterSeconds) {
        super("Too many requests. Try again in " + retryAfterSeconds
                + (retryAfterSeconds == 1 ? " second." : " seconds."), Map.of());
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    public int status() {
        return 429;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    // Rounded up and at least 1: a client told "0" would retry at once and be refused again.
    private static long wholeSeconds(Duration retryAfter) {
        long seconds = retryAfter.toSeconds() + (retryAfter.toNanosPart() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }
}
