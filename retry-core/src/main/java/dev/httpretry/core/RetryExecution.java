package dev.httpretry.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * One logical call under a {@link RetryPolicy}, from its first attempt to its end: it counts the
 * attempts and the retried 500s, keeps the previous wait, the time left before the deadline and the
 * earlier failures, draws from the budget, decides on every outcome (success included) and tells
 * the listener of each attempt, each wait and, exactly once, the call's end.
 *
 * <p>An adapter (a reactive filter, a blocking interceptor) does the I/O and reports what happened:
 * {@link #startAttempt()} before each attempt, then exactly one of {@link #onSuccess(int)},
 * {@link #onOutcome(Outcome)}, {@link #onAttemptTimeout()} or {@link #onCancel(boolean)} for it. A
 * {@link RetryDecision.Retry} asks it to release what it holds, wait {@link RetryDecision.Retry#delay()}
 * and start the next attempt; a {@link RetryDecision.Stop} ends the call: the adapter hands the last
 * response to the caller as it is, or {@link #failure()}.
 *
 * <p>Not thread-safe: the adapter reports one event at a time. Only the call's end is guarded, so a
 * caller's cancellation racing the last outcome ends the call once.
 */
public final class RetryExecution {

    /** The decision on a success: it has no state, so it is shared. */
    private static final RetryDecision.Stop SUCCESS = new RetryDecision.Stop(Category.SUCCESS, StopReason.NONE);

    private static final AtomicIntegerFieldUpdater<RetryExecution> ENDED =
            AtomicIntegerFieldUpdater.newUpdater(RetryExecution.class, "ended");

    private final RetryPolicy policy;

    private final String client;

    private final String method;

    private final boolean idempotencyKey;

    private final RetryBudget budget;

    private boolean bodyReplayable = true;

    private final RetryListener listener;

    private final LongSupplier nanoTime;

    private final long startNanos;

    private volatile int ended;

    private int attempts;

    /** Whether the attempt in flight is cut by the deadline rather than by its own timeout. */
    private boolean cutByDeadline;

    private long attemptTimeoutNanos;

    private volatile @Nullable Outcome lastOutcome;

    /** What only a call that retries, or ends on its own error, needs: made then, so a call that succeeds at once allocates less. */
    private @Nullable History history;

    RetryExecution(RetryPolicy policy, String client, String method, boolean idempotencyKey, RetryBudget budget,
            RetryListener listener, LongSupplier nanoTime) {
        this.policy = policy;
        this.client = client;
        this.method = method;
        this.idempotencyKey = idempotencyKey;
        this.budget = budget;
        this.listener = listener;
        this.nanoTime = nanoTime;
        this.startNanos = nanoTime.getAsLong();
        budget.recordFirstAttempt();
    }

    /**
     * Starts the next attempt, unless no time is left before the deadline (a wait's timer may fire
     * late): then the call ends with {@link StopReason#DEADLINE} and {@link #failure()} is a
     * {@link RetryDeadlineExceededException}.
     * @return {@code true} if the attempt may be sent, bounded by {@link #attemptTimeoutNanos()}
     */
    public boolean startAttempt() {
        long left = timeLeftNanos();
        if (left <= 0) {
            history().endError = deadlineExceeded(false);
            end(StopReason.DEADLINE);
            return false;
        }
        this.attempts++;
        long timeout = Durations.toNanos(this.policy.settings().attemptTimeout());
        this.cutByDeadline = left <= timeout;
        this.attemptTimeoutNanos = Math.min(left, timeout);
        return true;
    }

    /**
     * How long the attempt just started may take: {@code min(attempt-timeout, time left)}.
     * @return the timeout in nanoseconds, positive
     */
    public long attemptTimeoutNanos() {
        return this.attemptTimeoutNanos;
    }

    /**
     * The attempt got a response below 400: the call succeeds. Allocates nothing unless someone listens.
     * @param status the response status
     * @return the shared success decision
     */
    public RetryDecision onSuccess(int status) {
        if (this.listener != RetryListener.NONE) {
            Outcome outcome = Outcome.response(status);
            this.lastOutcome = outcome;
            this.listener.onAttempt(new AttemptEvent(this.client, this.method, this.attempts, outcome, SUCCESS));
        }
        end(StopReason.NONE);
        return SUCCESS;
    }

    /**
     * The attempt ended without any response or exception (a client that completes empty): the call
     * ends as a success without an attempt event, and the adapter passes the empty result on.
     */
    public void onEmpty() {
        end(StopReason.NONE);
    }

    /**
     * The attempt produced this outcome: decide on it. On a retry the outcome becomes one of the
     * earlier failures, the wait is told to the listener, and the adapter waits
     * {@link RetryDecision.Retry#delay()} before {@link #startAttempt()}; on a stop the call ends.
     * @param outcome the response or exception the attempt produced
     * @return the decision
     */
    public RetryDecision onOutcome(Outcome outcome) {
        if (outcome instanceof Outcome.Response response && response.status() < 400) {
            return onSuccess(response.status());
        }
        History history = this.history;
        Attempt attempt = new Attempt(this.attempts, outcome, this.method, this.idempotencyKey, Duration.ofNanos(timeLeftNanos()),
                (history != null) ? history.serverErrorRetries : 0, (history != null) ? history.previousDelay : null,
                this.bodyReplayable);
        RetryDecision decision = this.policy.decide(attempt, this.budget);
        this.lastOutcome = outcome;
        this.listener.onAttempt(new AttemptEvent(this.client, this.method, this.attempts, outcome, decision));
        if (decision instanceof RetryDecision.Retry retry) {
            History retried = history();
            if (retry.category() == Category.SERVER_ERROR) {
                retried.serverErrorRetries++;
            }
            retried.previousDelay = retry.delay();
            retried.addEarlierFailure(outcome, this.attempts, this.policy.settings().maxAttempts());
            this.listener.onBackoff(new BackoffEvent(this.client, this.method, this.attempts, retry.delay(), retry.source()));
        }
        else {
            end(((RetryDecision.Stop) decision).reason());
        }
        return decision;
    }

    /**
     * The attempt got no response within {@link #attemptTimeoutNanos()}; the adapter has cancelled
     * it. When that was the deadline, the call stops with {@link StopReason#DEADLINE} and
     * {@link #failure()} is a {@link RetryDeadlineExceededException}; otherwise the attempt failed
     * with an {@link AttemptTimeoutException}, decided on like any failure.
     * @return the decision
     */
    public RetryDecision onAttemptTimeout() {
        if (!this.cutByDeadline) {
            return onOutcome(Outcome.failure(new AttemptTimeoutException(this.policy.settings().attemptTimeout(), this.attempts)));
        }
        RetryDeadlineExceededException error = deadlineExceeded(true);
        Outcome outcome = Outcome.failure(error);
        RetryDecision.Stop stop = new RetryDecision.Stop(Category.RESPONSE_TIMEOUT, StopReason.DEADLINE);
        this.lastOutcome = outcome;
        this.listener.onAttempt(new AttemptEvent(this.client, this.method, this.attempts, outcome, stop));
        end(StopReason.DEADLINE);
        return stop;
    }

    /**
     * The caller cancelled the call. An attempt that was in flight is still counted, as cancelled.
     * @param attemptInFlight whether an attempt was in flight (not yet answered) when the caller cancelled
     */
    public void onCancel(boolean attemptInFlight) {
        if (attemptInFlight && this.ended == 0) {
            Outcome outcome = Outcome.failure(new CancellationException("The caller cancelled the call during attempt " + this.attempts));
            this.lastOutcome = outcome;
            this.listener.onAttempt(new AttemptEvent(this.client, this.method, this.attempts, outcome,
                    new RetryDecision.Stop(Category.UNKNOWN_ERROR, StopReason.CANCELLED)));
        }
        end(StopReason.CANCELLED);
    }

    /**
     * A wait could not be started or was cut short because the client is shutting down: the call
     * stops with {@link StopReason#SHUTDOWN}, and {@link #failure()} is this error.
     * @param error what refused or cut the wait
     * @return the stop decision
     */
    public RetryDecision.Stop onShutdown(Throwable error) {
        history().endError = error;
        end(StopReason.SHUTDOWN);
        return new RetryDecision.Stop(Category.UNKNOWN_ERROR, StopReason.SHUTDOWN);
    }

    /**
     * The exception that ends a call that stopped on a failure: the last attempt's exception (or the
     * deadline's or shutdown's), with the earlier attempts' failures attached as suppressed exceptions.
     * @return the exception to hand to the caller
     * @throws IllegalStateException if the call did not end on an exception
     */
    public Throwable failure() {
        History history = this.history;
        Throwable error = (history != null) ? history.endError : null;
        if (error == null) {
            if (!(this.lastOutcome instanceof Outcome.Failure failure)) {
                throw new IllegalStateException("The call did not end on an exception: " + this.lastOutcome);
            }
            error = failure.error();
        }
        if (history != null && history.earlierFailures != null) {
            for (Throwable earlier : history.earlierFailures) {
                if (earlier != error) {
                    error.addSuppressed(earlier);
                }
            }
            history.earlierFailures = null;
        }
        return error;
    }

    /**
     * The request's body cannot be sent again as it was (larger than {@code body-replay-limit}, or its
     * first sending ended early): from now on, an outcome that may have reached the server stops the
     * call with {@link StopReason#BODY_NOT_REPLAYABLE}.
     */
    public void bodyNotReplayable() {
        this.bodyReplayable = false;
    }

    /**
     * The name of the client the call runs under.
     * @return the client's name
     */
    public String client() {
        return this.client;
    }

    /**
     * The settings of the policy this call runs under.
     * @return the settings
     */
    public RetrySettings settings() {
        return this.policy.settings();
    }

    /**
     * How many attempts have been started.
     * @return the number of attempts
     */
    public int attempts() {
        return this.attempts;
    }

    /**
     * The time left before the deadline.
     * @return nanoseconds, zero or negative once the deadline has passed
     */
    public long timeLeftNanos() {
        long elapsed = this.nanoTime.getAsLong() - this.startNanos;
        return Durations.toNanos(this.policy.settings().deadline()) - elapsed;
    }

    /**
     * Whether the call has ended (a decision stopped it, or it was cancelled).
     * @return {@code true} once ended
     */
    public boolean ended() {
        return this.ended != 0;
    }

    private History history() {
        History history = this.history;
        if (history == null) {
            history = new History();
            this.history = history;
        }
        return history;
    }

    private RetryDeadlineExceededException deadlineExceeded(boolean cancelled) {
        Outcome last = this.lastOutcome;
        String lastFailure = null;
        if (last instanceof Outcome.Response response) {
            lastFailure = "status " + response.status();
        }
        else if (last instanceof Outcome.Failure failure) {
            lastFailure = failure.error().toString();
        }
        return new RetryDeadlineExceededException(this.policy.settings().deadline(), this.attempts, cancelled, lastFailure);
    }

    /** The state of a call that has retried or ended on an error of its own. */
    private static final class History {

        int serverErrorRetries;

        @Nullable Duration previousDelay;

        @Nullable List<Throwable> earlierFailures;

        /** The exception the call ends with when no attempt's outcome is it: the deadline passed between attempts, or a shutdown. */
        @Nullable Throwable endError;

        void addEarlierFailure(Outcome outcome, int attempt, int maxAttempts) {
            List<Throwable> failures = this.earlierFailures;
            if (failures == null) {
                failures = new ArrayList<>(maxAttempts);
                this.earlierFailures = failures;
            }
            failures.add(outcome instanceof Outcome.Failure failure ? failure.error()
                    : new RetriedResponseException(attempt, ((Outcome.Response) outcome).status()));
        }
    }

    private void end(StopReason reason) {
        if (ENDED.compareAndSet(this, 0, 1) && this.listener != RetryListener.NONE) {
            this.listener.onCallEnd(new CallEvent(this.client, this.method, this.attempts, reason, this.lastOutcome));
        }
    }
}
