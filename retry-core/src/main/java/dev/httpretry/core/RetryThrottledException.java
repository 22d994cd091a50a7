package dev.httpretry.core;

import java.io.IOException;
import java.time.Duration;

/**
 * A call failed without sending its next attempt ({@link StopReason#THROTTLED}): the send rate its
 * destination has learned ({@code adaptive.enabled}) would give that attempt its turn only after the
 * call's deadline. An {@link IOException}, as a request that could not be sent is; earlier attempts'
 * failures are attached as suppressed exceptions.
 */
public class RetryThrottledException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int attempt;

    private final double rate;

    /**
     * Creates the exception.
     * @param attempt the number of the attempt that was not sent
     * @param rate the destination's send rate, in requests per second
     * @param timeLeft the time the call had left
     */
    public RetryThrottledException(int attempt, double rate, Duration timeLeft) {
        super(String.format(java.util.Locale.ROOT,
                "Attempt %d not sent: its destination's learned send rate (%.2f per second) gives it a turn only after"
                        + " the call's deadline (%s left)", attempt, rate, Durations.format(timeLeft)));
        this.attempt = attempt;
        this.rate = rate;
    }

    /**
     * The attempt that was not sent.
     * @return its number, 1 for the first
     */
    public int getAttempt() {
        return this.attempt;
    }

    /**
     * The destination's send rate when the attempt was refused.
     * @return requests per second
     */
    public double getRate() {
        return this.rate;
    }
}
