package dev.httpretry.core;

import java.time.Duration;

/**
 * Saturating arithmetic on nanosecond values, so large delays cap instead of overflowing, and the
 * readable form of a duration used in messages. Pure functions.
 */
public final class Durations {

    private Durations() {
    }

    static long saturatedMultiply(long nanos, long factor) {
        long high = Math.multiplyHigh(nanos, factor);
        long low = nanos * factor;
        if ((high == 0 && low >= 0) || (high == -1 && low < 0)) {
            return low;
        }
        return (nanos < 0) == (factor < 0) ? Long.MAX_VALUE : Long.MIN_VALUE;
    }

    static long toNanos(Duration duration) {
        try {
            return duration.toNanos();
        }
        catch (ArithmeticException overflow) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /**
     * Formats a duration the way it is configured: {@code 250ms}, {@code 2s}, {@code 1500us}...
     * in the largest unit that represents it exactly.
     * @param duration the duration
     * @return its readable form
     */
    public static String format(Duration duration) {
        long nanos;
        try {
            nanos = duration.toNanos();
        }
        catch (ArithmeticException tooLong) {
            return duration.getSeconds() + "s";
        }
        if (nanos % 1_000_000_000L == 0) {
            long seconds = nanos / 1_000_000_000L;
            if (seconds != 0 && seconds % 3600 == 0) {
                return seconds / 3600 + "h";
            }
            if (seconds != 0 && seconds % 60 == 0) {
                return seconds / 60 + "m";
            }
            return seconds + "s";
        }
        if (nanos % 1_000_000 == 0) {
            return nanos / 1_000_000 + "ms";
        }
        if (nanos % 1_000 == 0) {
            return nanos / 1_000 + "us";
        }
        return nanos + "ns";
    }
}
