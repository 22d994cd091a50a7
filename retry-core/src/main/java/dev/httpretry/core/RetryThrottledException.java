package dev.httpretry.core;

import java.io.IOException;
import java.time.Duration;

/**
 * A call failed without sending its next attempt ({@link StopReason#THROTTLED}): the send rate its
 * destination has learned ({@code adaptive.enabled}) would give that attempt its turn only after the
 * call's deadline, or more than 2 seconds from now (the longest an attempt waits for its turn). An {@link IOException}, as a request that could not be sent is; earlier attempts'
 * failures are attached as suppressed exceptions.
 */
public class RetryThrottledException extends IOException {

    private static final long serialVersionUID = 1L;

    private static final Duration MAX_TURN_WAIT = Duration.ofNanos(CallLearning.MAX_TURN_WAIT_NANOS);

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
                        + " %s", attempt, rate, (timeLeft.compareTo(MAX_TURN_WAIT) > 0) ? "the longest an attempt waits for"
                                + " its turn (" + Durations.format(MAX_TURN_WAIT) + ")"
                                : "the call's deadline (" + Durations.format(timeLeft) + " left)"));
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
