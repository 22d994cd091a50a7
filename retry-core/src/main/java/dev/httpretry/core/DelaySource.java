package dev.httpretry.core;

import java.util.Locale;

/** Where a wait's length came from. {@link #tagValue()} is the metric tag value. */
public enum DelaySource {

    /** Exponential backoff with jitter (and, for a refused connection, its minimum delay). */
    BACKOFF,

    /** The server's {@code Retry-After}, which was longer than the backoff delay. */
    RETRY_AFTER,

    /** The server's {@code RateLimit}, {@code RateLimit-Reset} or {@code X-RateLimit-Reset}, which was longer than the backoff delay. */
    RATE_LIMIT,

    /**
     * No wait at all: the attempt failed while another copy of the same hedged request is still in
     * flight, which goes on (no {@link BackoffEvent} is told for it).
     */
    HEDGE;

    /**
     * The lower-case name used as a metric tag.
     * @return {@code backoff}, {@code retry_after}, {@code rate_limit} or {@code hedge}
     */
    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
