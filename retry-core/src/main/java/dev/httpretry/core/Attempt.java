package dev.httpretry.core;

import java.time.Duration;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Everything {@link RetryPolicy#decide} needs to know about an attempt that just ended.
 *
 * @param number the attempt number, 1 for the first attempt
 * @param outcome what the attempt produced
 * @param method the request method ({@code GET}, {@code POST}, ...)
 * @param idempotencyKey whether the request carries an {@code Idempotency-Key} header
 * @param timeLeft the time left before the call's deadline (zero or negative when it has passed)
 * @param serverErrorRetries how many times a 500 has already been retried in this call
 * @param previousDelay the previous wait of this call, or {@code null} before the first retry
 * @param bodyReplayable whether the request's body (if any) can be sent again exactly as it was
 * @param skippedWaits the waits this call skipped ({@link RetryExecution#skipWait}, in tests): its
 *     clock is ahead of the wall clock by as much, so an HTTP-date is read as if they had passed
 */
public record Attempt(int number, Outcome outcome, String method, boolean idempotencyKey, Duration timeLeft,
        int serverErrorRetries, @Nullable Duration previousDelay, boolean bodyReplayable, Duration skippedWaits) {

    /**
     * Checks the arguments.
     * @throws IllegalArgumentException if a number is out of range
     */
    public Attempt {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(timeLeft, "timeLeft");
        Objects.requireNonNull(skippedWaits, "skippedWaits");
        if (number < 1) {
            throw new IllegalArgumentException("Invalid attempt number (" + number + "): must be at least 1");
        }
        if (serverErrorRetries < 0) {
            throw new IllegalArgumentException(
                    "Invalid server error retry count (" + serverErrorRetries + "): must be zero or positive");
        }
    }

    /**
     * An attempt whose body, if any, can be sent again.
     * @param number the attempt number, 1 for the first attempt
     * @param outcome what the attempt produced
     * @param method the request method
     * @param idempotencyKey whether the request carries an {@code Idempotency-Key} header
     * @param timeLeft the time left before the call's deadline
     * @param serverErrorRetries how many times a 500 has already been retried in this call
     * @param previousDelay the previous wait of this call, or {@code null} before the first retry
     */
    public Attempt(int number, Outcome outcome, String method, boolean idempotencyKey, Duration timeLeft,
            int serverErrorRetries, @Nullable Duration previousDelay) {
        this(number, outcome, method, idempotencyKey, timeLeft, serverErrorRetries, previousDelay, true);
    }

    /**
     * An attempt of a call that skipped no wait.
     * @param number the attempt number, 1 for the first attempt
     * @param outcome what the attempt produced
     * @param method the request method
     * @param idempotencyKey whether the request carries an {@code Idempotency-Key} header
     * @param timeLeft the time left before the call's deadline
     * @param serverErrorRetries how many times a 500 has already been retried in this call
     * @param previousDelay the previous wait of this call, or {@code null} before the first retry
     * @param bodyReplayable whether the request's body (if any) can be sent again exactly as it was
     */
    public Attempt(int number, Outcome outcome, String method, boolean idempotencyKey, Duration timeLeft,
            int serverErrorRetries, @Nullable Duration previousDelay, boolean bodyReplayable) {
        this(number, outcome, method, idempotencyKey, timeLeft, serverErrorRetries, previousDelay, bodyReplayable, Duration.ZERO);
    }

    /**
     * The first attempt of a call, with no history.
     * @param outcome what it produced
     * @param method the request method
     * @param idempotencyKey whether the request carries an {@code Idempotency-Key} header
     * @param timeLeft the time left before the deadline
     * @return the attempt
     */
    public static Attempt first(Outcome outcome, String method, boolean idempotencyKey, Duration timeLeft) {
        return new Attempt(1, outcome, method, idempotencyKey, timeLeft, 0, null);
    }
}
