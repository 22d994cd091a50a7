package dev.httpretry.core;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.jspecify.annotations.Nullable;

/**
 * A non-negative or negative decimal number of seconds: the whole part saturated far above
 * {@link RetryAfter#MAX_SECONDS}, the fraction rounded up to the nanosecond.
 *
 * <p>The waits made from it are rounded <em>up</em> to a whole millisecond, so a caller never wakes
 * before the time the server named, and saturate at {@link RetryAfter#MAX_SECONDS}. Used by
 * {@link RateLimitReset} for its reset values and by {@link RateLimitPolicies} for {@code r} and {@code t}.
 */
record DecimalSeconds(boolean negative, long whole, int nanos) {

    /**
     * Whole parts saturate here: above every epoch second an {@link Instant} (a clock) can hold, so a
     * saturated epoch value is still later than now, whatever the clock says.
     */
    private static final long SATURATED = 100_000_000_000_000_000L;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private static final Duration LONGEST = Duration.ofSeconds(RetryAfter.MAX_SECONDS);

    /** {@code -?digits(.digits)?} spanning exactly {@code [start, end)}, or {@code null}. */
    static @Nullable DecimalSeconds parse(String text, int start, int end) {
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
        return new DecimalSeconds(negative && !zero, whole, nanos);
    }

    /** Whether this is zero, as a remaining quota of {@code 0} (or {@code 0.0}) is. */
    boolean isZero() {
        return this.whole == 0 && this.nanos == 0;
    }

    /**
     * Whether this is more than {@code seconds}, even by a fraction: how a reset value above the
     * epoch threshold is told from a delta.
     */
    boolean isAbove(long seconds) {
        return this.whole > seconds || (this.whole == seconds && this.nanos > 0);
    }

    /** This many seconds as a wait: rounded up to the millisecond, capped at {@link RetryAfter#MAX_SECONDS}. */
    Duration asDelay() {
        if (this.whole >= RetryAfter.MAX_SECONDS) {
            return LONGEST;
        }
        return cap(roundUpToMillis(Duration.ofSeconds(this.whole, this.nanos)));
    }

    /**
     * The wait from {@code now} until this Unix epoch second: rounded up to the millisecond, capped
     * at {@link RetryAfter#MAX_SECONDS}, and zero when that time is past.
     */
    Duration untilEpochSecond(Instant now) {
        // whole <= 10^17 and |now| < 3.2 * 10^16 seconds: no overflow
        Duration wait = Duration.ofSeconds(this.whole - now.getEpochSecond(), (long) this.nanos - now.getNano());
        if (wait.isNegative()) {
            return Duration.ZERO;
        }
        return cap(roundUpToMillis(wait));
    }

    private static Duration roundUpToMillis(Duration delay) {
        Duration truncated = delay.truncatedTo(ChronoUnit.MILLIS);
        return truncated.equals(delay) ? delay : truncated.plusMillis(1);
    }

    private static Duration cap(Duration delay) {
        return delay.compareTo(LONGEST) > 0 ? LONGEST : delay;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
