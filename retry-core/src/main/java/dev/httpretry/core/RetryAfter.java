package dev.httpretry.core;

import java.text.ParsePosition;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.SignStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * Parses the {@code Retry-After} header of RFC 9110 §10.2.3: either {@code delta-seconds} or an
 * {@code HTTP-date} in any of the three forms of §5.6.7 (IMF-fixdate, obsolete RFC 850, asctime).
 *
 * <p>A value that is neither yields {@link Optional#empty()} and never throws, whatever a server
 * sends. A date in the past means "no wait" ({@link Duration#ZERO}); a huge {@code delta-seconds}
 * saturates at {@link #MAX_SECONDS} instead of overflowing. The delay for a date is rounded up to a
 * whole millisecond, so a caller never wakes before the time the server named. Pure functions,
 * thread-safe.
 */
public final class RetryAfter {

    /** The largest delay reported; longer values saturate to it (about 31,700 years). */
    public static final long MAX_SECONDS = 1_000_000_000_000L;

    private static final int MAX_LENGTH = 64;

    /**
     * {@code Sun, 06 Nov 1994 08:49:37 GMT}, and the lenient {@code Sun, 6 Nov 1994 08:49:37 GMT} that
     * {@link DateTimeFormatter#RFC_1123_DATE_TIME} writes (RFC 9110 §5.6.7 asks recipients to accept
     * such forms). The year is exactly four digits (RFC 9110 {@code year = 4DIGIT}): a longer or signed
     * year would be truncated to an {@code int} below and read as a wrong date.
     */
    private static final DateTimeFormatter IMF_FIXDATE = new DateTimeFormatterBuilder()
            .appendPattern("EEE, ")
            .appendValue(ChronoField.DAY_OF_MONTH, 1, 2, SignStyle.NOT_NEGATIVE)
            .appendPattern(" MMM ")
            .appendValue(ChronoField.YEAR, 4)
            .appendPattern(" HH:mm:ss 'GMT'")
            .toFormatter(Locale.US);

    /** {@code Sun Nov  6 08:49:37 1994}: the day of month padded with a space to two characters. */
    private static final DateTimeFormatter ASCTIME = new DateTimeFormatterBuilder()
            .appendPattern("EEE MMM ")
            .padNext(2)
            .appendValue(ChronoField.DAY_OF_MONTH, 1, 2, SignStyle.NOT_NEGATIVE)
            .appendPattern(" HH:mm:ss ")
            .appendValue(ChronoField.YEAR, 4)
            .toFormatter(Locale.US);

    private RetryAfter() {
    }

    /**
     * Parses a {@code Retry-After} value.
     * @param value the header value as received, possibly {@code null}
     * @param clock the clock that says what "now" is, for HTTP-dates
     * @return the delay the server asked for, or empty if the value is absent or not usable
     */
    public static Optional<Duration> parse(@Nullable String value, Clock clock) {
        if (value == null) {
            return Optional.empty();
        }
        String trimmed = trimOptionalWhitespace(value);
        if (trimmed.isEmpty() || trimmed.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        if (isDigits(trimmed)) {
            return Optional.of(Duration.ofSeconds(parseSeconds(trimmed)));
        }
        Instant date = parseDate(trimmed, clock);
        if (date == null) {
            return Optional.empty();
        }
        Duration delay = Duration.between(clock.instant(), date);
        if (delay.isNegative()) {
            return Optional.of(Duration.ZERO);
        }
        return Optional.of(roundUpToMillis(delay));
    }

    /** Removes the spaces and horizontal tabs HTTP allows around a field value, and nothing else. */
    private static String trimOptionalWhitespace(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && isOptionalWhitespace(value.charAt(start))) {
            start++;
        }
        while (end > start && isOptionalWhitespace(value.charAt(end - 1))) {
            end--;
        }
        return value.substring(start, end);
    }

    private static boolean isOptionalWhitespace(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean isDigits(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static long parseSeconds(String digits) {
        long seconds = 0;
        for (int i = 0; i < digits.length(); i++) {
            seconds = seconds * 10 + (digits.charAt(i) - '0');
            if (seconds >= MAX_SECONDS) {
                return MAX_SECONDS;
            }
        }
        return seconds;
    }

    private static @Nullable Instant parseDate(String value, Clock clock) {
        LocalDateTime date = parseLocal(value, IMF_FIXDATE);
        if (date == null) {
            date = parseLocal(value, rfc850(clock));
        }
        if (date == null) {
            date = parseLocal(value, ASCTIME);
        }
        return date == null ? null : date.toInstant(ZoneOffset.UTC);
    }

    /**
     * {@code Sunday, 06-Nov-94 08:49:37 GMT} (a one-digit day accepted too). RFC 9110 §5.6.7: a two-digit
     * year that appears to be more than 50 years in the future is the most recent past year with those
     * last two digits.
     */
    private static DateTimeFormatter rfc850(Clock clock) {
        int thisYear = clock.instant().atZone(ZoneOffset.UTC).getYear();
        return new DateTimeFormatterBuilder()
                .appendPattern("EEEE, ")
                .appendValue(ChronoField.DAY_OF_MONTH, 1, 2, SignStyle.NOT_NEGATIVE)
                .appendPattern("-MMM-")
                .appendValueReduced(ChronoField.YEAR, 2, 2, thisYear - 49)
                .appendPattern(" HH:mm:ss 'GMT'")
                .toFormatter(Locale.US);
    }

    /**
     * Parses the whole value with the formatter, ignoring whether the day name matches the date:
     * the date is what the server meant, and a wrong day name is no reason to retry sooner.
     */
    private static @Nullable LocalDateTime parseLocal(String value, DateTimeFormatter formatter) {
        ParsePosition position = new ParsePosition(0);
        TemporalAccessor fields = formatter.parseUnresolved(value, position);
        if (fields == null || position.getErrorIndex() >= 0 || position.getIndex() != value.length()) {
            return null;
        }
        try {
            return LocalDateTime.of(
                    (int) fields.getLong(ChronoField.YEAR),
                    (int) fields.getLong(ChronoField.MONTH_OF_YEAR),
                    (int) fields.getLong(ChronoField.DAY_OF_MONTH),
                    (int) fields.getLong(ChronoField.HOUR_OF_DAY),
                    (int) fields.getLong(ChronoField.MINUTE_OF_HOUR),
                    (int) fields.getLong(ChronoField.SECOND_OF_MINUTE));
        }
        catch (DateTimeException invalid) {
            return null;
        }
    }

    private static Duration roundUpToMillis(Duration delay) {
        Duration truncated = delay.truncatedTo(ChronoUnit.MILLIS);
        return truncated.equals(delay) ? delay : truncated.plusMillis(1);
    }
}
