package dev.httpretry.core;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;

/**
 * A call's deadline passed while an attempt was in flight: that attempt was cancelled and no
 * further attempt is made. Earlier attempts' failures are attached as suppressed exceptions.
 */
public class RetryDeadlineExceededException extends TimeoutException {

    private static final long serialVersionUID = 1L;

    private final transient Duration deadline;

    private final int attempts;

    /**
     * Creates the exception.
     * @param deadline the call's deadline
     * @param attempts how many attempts were sent
     * @param cancelled whether the last of them was in flight and cancelled (otherwise the deadline
     *     passed while waiting, before the next attempt could be sent)
     * @param lastFailure what the last attempt that ended produced, or {@code null} if none ended
     */
    public RetryDeadlineExceededException(Duration deadline, int attempts, boolean cancelled, @Nullable String lastFailure) {
        super("Deadline of " + Durations.format(deadline) + " exceeded after " + attempts
                + (attempts == 1 ? " attempt" : " attempts")
                + (cancelled ? "; attempt " + attempts + " was cancelled" : "")
                + (lastFailure != null ? (cancelled ? ", the one before failed with " : "; the last failed with ") + lastFailure : ""));
        this.deadline = deadline;
        this.attempts = attempts;
    }

    /**
     * The deadline that passed.
     * @return the deadline
     */
    public Duration getDeadline() {
        return this.deadline;
    }

    /**
     * How many attempts were sent, the cancelled one included.
     * @return the number of attempts
     */
    public int getAttempts() {
        return this.attempts;
    }
}
