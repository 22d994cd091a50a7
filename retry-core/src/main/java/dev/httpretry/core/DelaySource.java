package dev.httpretry.core;

import java.util.Locale;

/** Where a wait's length came from. {@link #tagValue()} is the metric tag value. */
public enum DelaySource {

    /** Exponential backoff with jitter (and, for a refused connection, its minimum delay). */
    BACKOFF,

    /** The server's {@code Retry-After}, which was longer than the backoff delay. */
    RETRY_AFTER,

    /** The server's {@code RateLimit}, {@code RateLimit-Reset} or {@code X-RateLimit-Reset}, which was longer than the backoff delay. */
    RATE_LIMIT;

    /**
     * The lower-case name used as a metric tag.
     * @return {@code backoff}, {@code retry_after} or {@code rate_limit}
     */
    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
