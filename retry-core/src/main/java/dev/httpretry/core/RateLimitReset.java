package dev.httpretry.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private static final Duration LONGEST = Duration.ofSeconds(RetryAfter.MAX_SECONDS);

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
        return new StructuredList(value).longestExhaustedReset();
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
        Seconds seconds = Seconds.parse(trimmed, 0, trimmed.length());
        if (seconds == null || seconds.negative()) {
            return Optional.empty();
        }
        if (!seconds.isEpoch()) {
            return Optional.of(seconds.asDelay());
        }
        Instant now = clock.instant();
        // whole <= 10^17 and |now| < 3.2 * 10^16 seconds: no overflow
        Duration wait = Duration.ofSeconds(seconds.whole() - now.getEpochSecond(), (long) seconds.nanos() - now.getNano());
        if (wait.isNegative()) {
            return Optional.of(Duration.ZERO);
        }
        return Optional.of(cap(roundUpToMillis(wait)));
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

    private static Duration roundUpToMillis(Duration delay) {
        Duration truncated = delay.truncatedTo(ChronoUnit.MILLIS);
        return truncated.equals(delay) ? delay : truncated.plusMillis(1);
    }

    private static Duration cap(Duration delay) {
        return delay.compareTo(LONGEST) > 0 ? LONGEST : delay;
    }

    /**
     * A non-negative or negative decimal number of seconds: the whole part saturated far above
     * {@link RetryAfter#MAX_SECONDS}, the fraction rounded up to the nanosecond.
     */
    private record Seconds(boolean negative, long whole, int nanos) {

        /**
         * Whole parts saturate here: above every epoch second an {@link Instant} (a clock) can hold, so a
         * saturated epoch value is still later than now, whatever the clock says.
         */
        private static final long SATURATED = 100_000_000_000_000_000L;

        /** {@code -?digits(.digits)?} spanning exactly {@code [start, end)}, or {@code null}. */
        static @Nullable Seconds parse(String text, int start, int end) {
            int i = start;
            boolean negative = i < end && text.charAt(i) == '-';
            if (negative) {
                i++;
            }
            int digitsStart = i;
            long whole = 0;
            while (i < end && isDigit(text.charAt(i))) {
                whole = Math.min(SATURATED, whole * 10 + (text.charAt(i) - '0'));
                i++;
            }
            if (i == digitsStart) {
                return null;
            }
            int nanos = 0;
            if (i < end && text.charAt(i) == '.') {
                i++;
                int fractionStart = i;
                int scale = (int) (NANOS_PER_SECOND / 10);
                boolean remainder = false;
                while (i < end && isDigit(text.charAt(i))) {
                    int digit = text.charAt(i) - '0';
                    if (scale > 0) {
                        nanos += digit * scale;
                        scale /= 10;
                    }
                    else if (digit != 0) {
                        remainder = true;
                    }
                    i++;
                }
                if (i == fractionStart) {
                    return null;
                }
                if (remainder) {
                    nanos++;
                    if (nanos == NANOS_PER_SECOND) {
                        nanos = 0;
                        whole = Math.min(SATURATED, whole + 1);
                    }
                }
            }
            if (i != end) {
                return null;
            }
            boolean zero = whole == 0 && nanos == 0;
            return new Seconds(negative && !zero, whole, nanos);
        }

        boolean isZero() {
            return whole == 0 && nanos == 0;
        }

        boolean isEpoch() {
            return whole > EPOCH_THRESHOLD || (whole == EPOCH_THRESHOLD && nanos > 0);
        }

        Duration asDelay() {
            if (whole >= RetryAfter.MAX_SECONDS) {
                return LONGEST;
            }
            return cap(roundUpToMillis(Duration.ofSeconds(whole, nanos)));
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }
    }

    /**
     * A parser for the Structured Field list of RFC 9651 §4.2.1, strict in syntax (a malformed field
     * yields nothing) and lenient only in the size of numbers, which saturate instead of failing. It
     * reads what {@code RateLimit} needs, each item's {@code r} and {@code t}, and skips the rest.
     */
    private static final class StructuredList {

        private final String text;

        private int at;

        private @Nullable Duration longest;

        private @Nullable Seconds remaining;

        private @Nullable Seconds reset;

        /** RFC 9651 §4.2 discards the spaces around a field; HTTP has already dropped tabs there, or should have. */
        StructuredList(String text) {
            this.text = trimOptionalWhitespace(text);
        }

        Optional<Duration> longestExhaustedReset() {
            return parseMembers() ? Optional.ofNullable(longest) : Optional.empty();
        }

        private boolean parseMembers() {
            while (at < text.length()) {
                remaining = null;
                reset = null;
                if (peek() == '(') {
                    if (!parseInnerList()) {
                        return false;
                    }
                }
                else if (!parseBareItem()) {
                    return false;
                }
                if (!parseParameters(true)) {
                    return false;
                }
                consider();
                skipOptionalWhitespace();
                if (at == text.length()) {
                    return true;
                }
                if (text.charAt(at) != ',') {
                    return false;
                }
                at++;
                skipOptionalWhitespace();
                if (at == text.length()) {
                    return false; // a trailing comma
                }
            }
            return true;
        }

        /** An item asks for a wait when its remaining quota is zero and its reset is a usable number. */
        private void consider() {
            Seconds r = remaining;
            Seconds t = reset;
            if (r == null || t == null || !r.isZero() || t.negative()) {
                return;
            }
            Duration wait = t.asDelay();
            if (longest == null || wait.compareTo(longest) > 0) {
                longest = wait;
            }
        }

        private boolean parseInnerList() {
            at++; // '('
            while (at < text.length()) {
                skipSpaces();
                if (peek() == ')') {
                    at++;
                    return true;
                }
                if (!parseBareItem() || !parseParameters(false)) {
                    return false;
                }
                char next = peek();
                if (next != ' ' && next != ')') {
                    return false;
                }
            }
            return false;
        }

        /** Parameters of a list member (whose {@code r} and {@code t} count) or of an inner-list item (ignored). */
        private boolean parseParameters(boolean member) {
            while (peek() == ';') {
                at++;
                skipSpaces();
                int keyStart = at;
                if (!parseKey()) {
                    return false;
                }
                String key = text.substring(keyStart, at);
                Seconds number = null;
                if (peek() == '=') {
                    at++;
                    int valueStart = at;
                    if (!parseBareItem()) {
                        return false;
                    }
                    number = Seconds.parse(text, valueStart, at);
                }
                if (member) {
                    // RFC 9651: a parameter given twice takes its last value; a non-number is no value here
                    if (key.equals("r")) {
                        remaining = number;
                    }
                    else if (key.equals("t")) {
                        reset = number;
                    }
                }
            }
            return true;
        }

        private boolean parseKey() {
            char first = peek();
            if (!(isLowerAlpha(first) || first == '*')) {
                return false;
            }
            at++;
            while (at < text.length()) {
                char c = text.charAt(at);
                if (!(isLowerAlpha(c) || isDigit(c) || c == '_' || c == '-' || c == '.' || c == '*')) {
                    break;
                }
                at++;
            }
            return true;
        }

        /**
         * Skips an Integer or Decimal (of any length: numbers saturate when read), String, Token,
         * Byte Sequence, Boolean, Date or Display String.
         */
        private boolean parseBareItem() {
            char c = peek();
            if (c == '-' || isDigit(c)) {
                return skipNumber();
            }
            if (c == '"') {
                return skipString();
            }
            if (isAlpha(c) || c == '*') {
                at++;
                while (at < text.length() && isTokenChar(text.charAt(at))) {
                    at++;
                }
                return true;
            }
            if (c == ':') {
                at++;
                while (at < text.length() && isBase64(text.charAt(at))) {
                    at++;
                }
                return consume(':');
            }
            if (c == '?') {
                at++;
                char value = peek();
                if (value != '0' && value != '1') {
                    return false;
                }
                at++;
                return true;
            }
            if (c == '@') {
                at++;
                return (isDigit(peek()) || peek() == '-') && skipNumber();
            }
            if (c == '%') {
                at++;
                return peek() == '"' && skipDisplayString();
            }
            return false;
        }

        private boolean skipNumber() {
            if (peek() == '-') {
                at++;
            }
            int digits = at;
            while (isDigit(peek())) {
                at++;
            }
            if (at == digits) {
                return false;
            }
            if (peek() == '.') {
                at++;
                int fraction = at;
                while (isDigit(peek())) {
                    at++;
                }
                return at > fraction;
            }
            return true;
        }

        private boolean skipString() {
            at++; // '"'
            while (at < text.length()) {
                char c = text.charAt(at++);
                if (c == '\\') {
                    if (at == text.length() || (text.charAt(at) != '"' && text.charAt(at) != '\\')) {
                        return false;
                    }
                    at++;
                }
                else if (c == '"') {
                    return true;
                }
                else if (c < 0x20 || c > 0x7e) {
                    return false;
                }
            }
            return false;
        }

        private boolean skipDisplayString() {
            at++; // '"'
            while (at < text.length()) {
                char c = text.charAt(at++);
                if (c == '"') {
                    return true;
                }
                if (c < 0x20 || c > 0x7e) {
                    return false;
                }
                if (c == '%') {
                    if (at + 2 > text.length() || !isLowerHex(text.charAt(at)) || !isLowerHex(text.charAt(at + 1))) {
                        return false;
                    }
                    at += 2;
                }
            }
            return false;
        }

        private boolean consume(char expected) {
            if (peek() != expected) {
                return false;
            }
            at++;
            return true;
        }

        private char peek() {
            return at < text.length() ? text.charAt(at) : '\0';
        }

        private void skipSpaces() {
            while (at < text.length() && text.charAt(at) == ' ') {
                at++;
            }
        }

        private void skipOptionalWhitespace() {
            while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
                at++;
            }
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private static boolean isLowerAlpha(char c) {
            return c >= 'a' && c <= 'z';
        }

        private static boolean isAlpha(char c) {
            return isLowerAlpha(c) || (c >= 'A' && c <= 'Z');
        }

        private static boolean isLowerHex(char c) {
            return isDigit(c) || (c >= 'a' && c <= 'f');
        }

        private static boolean isBase64(char c) {
            return isAlpha(c) || isDigit(c) || c == '+' || c == '/' || c == '=';
        }

        /** RFC 9110 tchar, plus ':' and '/' (RFC 9651 sf-token). */
        private static boolean isTokenChar(char c) {
            return isAlpha(c) || isDigit(c) || c == ':' || c == '/' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
        }
    }
}
