package dev.httpretry.core;

/**
 * The jitter algorithms of Marc Brooker's "Exponential Backoff and Jitter", plus none.
 *
 * <p>Each is a pure function of its inputs and one random value in {@code [0, 1)}: the caller
 * supplies randomness, so results are exact in tests. All values are in nanoseconds; the result
 * never exceeds {@code maxDelay} and is never negative.
 */
public enum Jitter {

    /** The capped exponential delay itself. */
    NONE {
        @Override
        long apply(long capped, long initialDelay, long previousDelay, long maxDelay, double random) {
            return capped;
        }
    },

    /** Uniform in {@code [0, capped]}. */
    FULL {
        @Override
        long apply(long capped, long initialDelay, long previousDelay, long maxDelay, double random) {
            return (long) (capped * random);
        }
    },

    /** Half the capped delay, plus uniform in {@code [0, capped / 2]}. */
    EQUAL {
        @Override
        long apply(long capped, long initialDelay, long previousDelay, long maxDelay, double random) {
            long half = capped / 2;
            return half + (long) ((capped - half) * random);
        }
    },

    /**
     * {@code min(maxDelay, uniform[initialDelay, previous * 3])}, where previous is the last wait
     * actually made (the initial delay before the first retry). As in Brooker's formula, the cap
     * comes after the draw, so once previous nears the cap about two thirds of the draws are the
     * cap itself; and a wait lengthened by {@code Retry-After} or by the refused-connection minimum
     * raises the range of the next one.
     */
    DECORRELATED {
        @Override
        long apply(long capped, long initialDelay, long previousDelay, long maxDelay, double random) {
            long upper = Math.max(initialDelay, Durations.saturatedMultiply(previousDelay, 3));
            long value = initialDelay + (long) ((double) (upper - initialDelay) * random);
            return Math.min(maxDelay, value);
        }
    };

    /**
     * Applies this jitter.
     * @param capped the exponential delay, already capped at {@code maxDelay}
     * @param initialDelay the base delay
     * @param previousDelay the previous wait, or {@code initialDelay} before the first retry
     * @param maxDelay the cap
     * @param random a value in {@code [0, 1)}
     * @return the delay to wait, in {@code [0, maxDelay]}
     */
    abstract long apply(long capped, long initialDelay, long previousDelay, long maxDelay, double random);

    /**
     * The lower-case name used in configuration ({@code full}, {@code equal}, ...).
     * @return the configuration name
     */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
