package dev.httpretry.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Exponential backoff with a cap and jitter: the delay before retry {@code n} (1 for the first
 * retry) is {@code min(maxDelay, initialDelay * multiplier^(n-1))}, capped <em>before</em> the
 * jitter is applied, so capped delays still spread out.
 *
 * <p>Immutable and thread-safe. The {@code backoff} group of {@link RetrySettings}.
 *
 * @param initialDelay the base delay, zero or positive
 * @param multiplier the growth per retry, at least 1
 * @param maxDelay the cap, at least {@code initialDelay}
 * @param jitter how the capped delay is randomised
 */
public record Backoff(Duration initialDelay, double multiplier, Duration maxDelay, Jitter jitter) {

    /**
     * Checks the arguments.
     * @throws InvalidSettingException if a delay is negative, the cap is below the initial delay,
     *     or the multiplier is below 1 or not finite
     */
    public Backoff {
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        Objects.requireNonNull(jitter, "jitter");
        SettingChecks.notNegative("backoff.initial-delay", initialDelay);
        SettingChecks.notNegative("backoff.max-delay", maxDelay);
        SettingChecks.checkMultiplier(multiplier);
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw new InvalidSettingException("backoff.max-delay", Durations.format(maxDelay),
                    "must be at least backoff.initial-delay (" + Durations.format(initialDelay) + ")");
        }
    }

    /**
     * The exponential delay before the given retry, capped, without jitter.
     * @param retry the retry number, 1 for the first retry
     * @return {@code min(maxDelay, initialDelay * multiplier^(retry-1))}, never negative
     * @throws IllegalArgumentException if {@code retry} is below 1
     */
    public Duration cappedDelay(int retry) {
        return Duration.ofNanos(cappedNanos(retry));
    }

    /**
     * The delay to wait before the given retry.
     * @param retry the retry number, 1 for the first retry
     * @param previousDelay the previous wait ({@link #initialDelay()} before the first retry); only
     *     {@link Jitter#DECORRELATED} uses it
     * @param random a value in {@code [0, 1)}
     * @return the delay, in {@code [0, maxDelay]}
     * @throws IllegalArgumentException if {@code retry} is below 1 or {@code random} outside {@code [0, 1)}
     */
    public Duration delay(int retry, Duration previousDelay, double random) {
        if (!(random >= 0.0 && random < 1.0)) {
            throw new IllegalArgumentException("Invalid random value (" + random + "): must be in [0, 1)");
        }
        long max = Durations.toNanos(maxDelay);
        long previous = Math.max(0, Durations.toNanos(previousDelay));
        long nanos = jitter.apply(cappedNanos(retry), Durations.toNanos(initialDelay), previous, max, random);
        return Duration.ofNanos(Math.max(0, Math.min(max, nanos)));
    }

    private long cappedNanos(int retry) {
        if (retry < 1) {
            throw new IllegalArgumentException("Invalid retry number (" + retry + "): must be at least 1");
        }
        long initial = Durations.toNanos(initialDelay);
        long max = Durations.toNanos(maxDelay);
        if (initial == 0) {
            return 0;
        }
        double exponential = initial * Math.pow(multiplier, retry - 1);
        // a double holds 53 bits: above 2^53 ns the product may round below the initial delay itself
        return exponential < max ? Math.max(initial, (long) exponential) : max;
    }
}
