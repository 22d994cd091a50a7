package dev.httpretry.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What a call that has retried, ended on an error of its own, or been hedged keeps beyond its
 * first attempt: made only then, so a call that succeeds at once allocates nothing for it.
 */
final class CallHistory {

    int serverErrorRetries;

    @Nullable Duration previousDelay;

    @Nullable List<Throwable> earlierFailures;

    /** The exception the call ends with when no attempt's outcome is it: the deadline passed between attempts, or a shutdown. */
    @Nullable Throwable endError;

    /** The waits the call skipped, in tests: its clock is ahead of its time source by as much. */
    long skippedNanos;

    /** The copies of a call that has sent a hedge, or tried to. */
    @Nullable HedgeRound hedges;

    /** Keeps a failed attempt's outcome as an exception for the caller: the error itself, or the retried status. */
    void addEarlierFailure(Outcome outcome, int attempt, int maxAttempts) {
        List<Throwable> failures = this.earlierFailures;
        if (failures == null) {
            failures = new ArrayList<>(maxAttempts);
            this.earlierFailures = failures;
        }
        failures.add(outcome instanceof Outcome.Failure failure ? failure.error()
                : new RetriedResponseException(attempt, ((Outcome.Response) outcome).status()));
    }

    /** A failure that is retried, or that other copies go on after: counted against server-error-retries and kept. */
    void failed(Category category, Outcome outcome, int attempt, int maxAttempts) {
        if (category == Category.SERVER_ERROR) {
            this.serverErrorRetries++;
        }
        addEarlierFailure(outcome, attempt, maxAttempts);
    }

    /** Attaches the earlier failures to the exception that ends the call, once. */
    Throwable attachTo(Throwable error) {
        List<Throwable> failures = this.earlierFailures;
        if (failures != null) {
            for (Throwable earlier : failures) {
                if (earlier != error) {
                    error.addSuppressed(earlier);
                }
            }
            this.earlierFailures = null;
        }
        return error;
    }
}
