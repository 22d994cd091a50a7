package dev.httpretry.core;

import java.time.Clock;
import java.time.Duration;

/**
 * Limits retries to a fraction of first attempts, so that retries cannot multiply the load on a
 * server that is already failing. One budget per client.
 *
 * <p>Every call deposits with {@link #recordFirstAttempt()}; every retry must first be granted by
 * {@link #tryAcquireRetry()}. Implementations are thread-safe.
 */
public interface RetryBudget {

    /** The rolling window over which first attempts and retries are counted: {@value} seconds. */
    long WINDOW_SECONDS = 10;

    /**
     * Records the first attempt of a call, which earns a fraction of a retry.
     */
    void recordFirstAttempt();

    /**
     * Takes one retry from the budget if one is available.
     * @return {@code true} if the retry may go ahead
     */
    boolean tryAcquireRetry();

    /**
     * How many retries the budget would grant right now.
     * @return the whole number of retries available, never negative ({@link Long#MAX_VALUE} when unlimited)
     */
    long available();

    /**
     * A budget that grants every retry.
     * @return the unlimited budget
     */
    static RetryBudget unlimited() {
        return UnlimitedRetryBudget.INSTANCE;
    }

    /**
     * A budget of Finagle's design: over a rolling window of {@value #WINDOW_SECONDS} seconds, retries
     * may add at most {@code ratio} of the first attempts made in that window, plus a floor of
     * {@code minRetriesPerSecond} per second of the window so that a quiet client can still retry.
     * Under a total outage, the retries in any window stay within
     * {@code ratio * firstAttempts + minRetriesPerSecond * window}.
     * @param ratio the fraction of first attempts that may be retried, 0 to 1000
     * @param minRetriesPerSecond the floor, zero or positive
     * @param clock the clock that drives the window
     * @return the budget
     * @throws InvalidSettingException if a value is out of range
     */
    static RetryBudget windowed(double ratio, int minRetriesPerSecond, Clock clock) {
        return new WindowedRetryBudget(ratio, minRetriesPerSecond, Duration.ofSeconds(WINDOW_SECONDS), clock);
    }
}
