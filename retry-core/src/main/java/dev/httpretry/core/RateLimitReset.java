package dev.httpretry.core;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * Reads the wait a server asks for in its rate-limit headers, for a response that has no
 * {@code Retry-After}: {@code RateLimit} (IETF draft {@code httpapi-ratelimit-headers}),
 * {@code RateLimit-Reset} and {@code X-RateLimit-Reset}.
 *
 * <ul>
 * <li>{@code RateLimit} is a Structured Field list (RFC 9651) of policy items, such as
 * {@code "default";r=0;t=30}. An item whose remaining quota {@code r} is zero asks for a wait of its
 * {@code t} parameter, in seconds; when several items are exhausted, the largest {@code t} wins, since
 * a request sent earlier would still be refused by that policy. Items with quota left ask for no wait.
 * A field that is not a valid Structured Field list is ignored as a whole, as RFC 9651 requires.
 * Several field lines are joined with {@code ", "} before they are passed here (RFC 9110 §5.3).</li>
 * <li>{@code RateLimit-Reset} and {@code X-RateLimit-Reset} are delta seconds; a value above
 * {@value #EPOCH_THRESHOLD} is Unix epoch seconds (as GitHub and others send it), and the wait is the
 * time from now until then, zero when that time is past.</li>
 * </ul>
 *
 * <p>When more than one header is present, the first that yields a wait wins, in this order:
 * {@code RateLimit}, {@code RateLimit-Reset}, {@code X-RateLimit-Reset}. A header that yields nothing
 * (absent, malformed, no exhausted policy) passes to the next.
 *
 * <p>Seconds may carry a decimal fraction ({@code 1.5}, as a Structured Field Decimal allows); the wait
 * is rounded <em>up</em> to a whole millisecond, so a caller never wakes before the time the server
 * named. A negative, malformed or overlong value is ignored; a huge value saturates at
 * {@link RetryAfter#MAX_SECONDS}. Nothing a server sends makes these methods throw. Pure functions,
 * thread-safe.
 */
public final class RateLimitReset {

    /** The header of the IETF draft: a list of policy items with {@code r} (remaining) and {@code t} (reset). */
    public static final String RATE_LIMIT = "RateLimit";

    /** The draft's earlier reset header: delta seconds. */
    public static final String RATE_LIMIT_RESET = "RateLimit-Reset";

    /** The de facto reset header: delta seconds or Unix epoch seconds. */
    public static final String X_RATE_LIMIT_RESET = "X-RateLimit-Reset";

    /** A reset value above this many seconds is a Unix epoch second ({@value}, September 2001), not a delta. */
    public static final long EPOCH_THRESHOLD = 1_000_000_000L;

    /** Longer reset values are ignored, as {@link RetryAfter} ignores them. */
    private static final int MAX_RESET_LENGTH = 64;

    /** Longer {@code RateLimit} fields are ignored: a server that sends more is not to be parsed for a wait. */
    static final int MAX_RATE_LIMIT_LENGTH = 8192;

    private RateLimitReset() {
    }

    /**
     * The wait the rate-limit headers of one response ask for, taking the first header that yields
     * one: {@code RateLimit}, then {@code RateLimit-Reset}, then {@code X-RateLimit-Reset}.
     * @param rateLimit the {@code RateLimit} field value (its lines joined with {@code ", "}), or {@code null}
     * @param rateLimitReset the {@code RateLimit-Reset} value, or {@code null}
     * @param xRateLimitReset the {@code X-RateLimit-Reset} value, or {@code null}
     * @param clock what "now" is, for epoch values
     * @return the wait, never negative and never shorter than asked, or empty when no header yields one
     */
    public static Optional<Duration> parse(@Nullable String rateLimit, @Nullable String rateLimitReset,
            @Nullable String xRateLimitReset, Clock clock) {
        Optional<Duration> wait = parseRateLimit(rateLimit);
        if (wait.isEmpty()) {
            wait = parseReset(rateLimitReset, clock);
        }
        if (wait.isEmpty()) {
            wait = parseReset(xRateLimitReset, clock);
        }
        return wait;
    }

    /**
     * Reads a {@code RateLimit} field: the largest {@code t} among the items whose {@code r} is zero.
     * @param value the field value, its lines joined with {@code ", "}, or {@code null}
     * @return the wait, or empty when the field is absent, not a valid list, or has no exhausted
     *     item with a usable {@code t}
     */
    public static Optional<Duration> parseRateLimit(@Nullable String value) {
        if (value == null || value.length() > MAX_RATE_LIMIT_LENGTH) {
            return Optional.empty();
        }
        // RFC 9651 §4.2 discards the spaces around a field; HTTP has already dropped tabs there, or should have
        return RateLimitPolicies.longestExhaustedReset(trimOptionalWhitespace(value));
    }

    /**
     * Reads a {@code RateLimit-Reset} or {@code X-RateLimit-Reset} value: delta seconds, or Unix
     * epoch seconds when above {@value #EPOCH_THRESHOLD}.
     * @param value the header value, or {@code null}
     * @param clock what "now" is, for an epoch value
     * @return the wait (zero for an epoch in the past), or empty when the value is absent or not a
     *     non-negative number
     */
    public static Optional<Duration> parseReset(@Nullable String value, Clock clock) {
        if (value == null) {
            return Optional.empty();
        }
        String trimmed = trimOptionalWhitespace(value);
        if (trimmed.length() > MAX_RESET_LENGTH) {
            return Optional.empty();
        }
        DecimalSeconds seconds = DecimalSeconds.parse(trimmed, 0, trimmed.length());
        if (seconds == null || seconds.negative()) {
            return Optional.empty();
        }
        if (!seconds.isAbove(EPOCH_THRESHOLD)) {
            return Optional.of(seconds.asDelay());
        }
        return Optional.of(seconds.untilEpochSecond(clock.instant()));
    }

    private static String trimOptionalWhitespace(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && (value.charAt(start) == ' ' || value.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (value.charAt(end - 1) == ' ' || value.charAt(end - 1) == '\t')) {
            end--;
        }
        return value.substring(start, end);
    }
}
