package dev.httpretry.core;

import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * The state of one logical call and what it tells: its attempts and their time, the last outcome,
 * the listener's events, the copies that lost, and the call's single end, including the ends that
 * need no decision (a cancel, a shutdown). {@link RetryExecution} decides on top of it.
 */
abstract class CallState {

    /** The longest a retried response's release may take; a slower body's connection is closed. */
    static final long RELEASE_MAX_NANOS = TimeUnit.SECONDS.toNanos(1);

    private static final AtomicIntegerFieldUpdater<CallState> ENDED = AtomicIntegerFieldUpdater.newUpdater(CallState.class, "ended");

    final RetryPolicy policy;
    final String client;
    final String method;
    final boolean idempotencyKey;
    final RetryBudget budget;
    final RetryListener listener;
    final LongSupplier nanoTime;
    final long startNanos;

    boolean bodyReplayable = true;

    volatile int ended;

    int attempts;

    /** Whether the attempt in flight is cut by the deadline rather than by its own timeout. */
    boolean cutByDeadline;

    long attemptTimeoutNanos;

    /** Whether the attempt last started has not been reported on yet. */
    boolean attemptInFlight;

    volatile @Nullable Outcome lastOutcome;

    /** What only a call that retries, hedges or ends on its own error needs: made then. */
    @Nullable CallHistory history;

    CallState(RetryPolicy policy, String client, String method, boolean idempotencyKey, RetryBudget budget,
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

    /** Counts a new attempt (or copy) and bounds it by {@code min(attempt-timeout, left)}. */
    void arm(long left) {
        this.attempts++;
        this.attemptInFlight = true;
        long timeout = Durations.toNanos(this.policy.settings().attemptTimeout());
        this.cutByDeadline = left <= timeout;
        this.attemptTimeoutNanos = Math.min(left, timeout);
    }

    /**
     * The header that carries the number of the attempt just started, when {@code attempt-header} is set.
     * @return the header's name for an attempt after the first, else {@code null}
     */
    public @Nullable String attemptHeader() {
        String header = this.policy.settings().attemptHeader();
        return (this.attempts > 1 && !header.isEmpty()) ? header : null;
    }

    /**
     * Whether the attempt just started is bounded by the deadline rather than by its own timeout.
     * @return {@code true} when the time left before the deadline was the shorter
     */
    public boolean attemptCutByDeadline() {
        return this.cutByDeadline;
    }

    /**
     * How long the attempt just started may take: {@code min(attempt-timeout, time left)}.
     * @return the timeout in nanoseconds, positive
     */
    public long attemptTimeoutNanos() {
        return this.attemptTimeoutNanos;
    }

    /**
     * How many attempts (copies of a hedged call) are in flight: sent and not yet decided on.
     * @return the number; at most 1 before the call has hedged
     */
    public int copiesInFlight() {
        HedgeRound hedges = hedges();
        return (hedges != null) ? hedges.inFlight() : (this.attemptInFlight ? 1 : 0);
    }

    /**
     * The copies of a hedged call that lost when the last decision settled its round (another copy
     * answered for the call, the deadline passed, the caller cancelled): the adapter cancels each.
     * Each is told once.
     * @param copy given the attempt number of each copy that lost
     */
    public void forEachLostCopy(IntConsumer copy) {
        HedgeRound hedges = hedges();
        if (hedges != null) {
            hedges.forEachLost(copy);
        }
    }

    /** The listener hears of attempt {@code attempt}'s outcome and decision, which becomes the last outcome. */
    RetryDecision told(int attempt, Outcome outcome, RetryDecision decision) {
        this.lastOutcome = outcome;
        this.listener.onAttempt(new AttemptEvent(this.client, this.method, attempt, outcome, decision));
        return decision;
    }

    /**
     * The exception that ends a call that stopped on a failure: the last attempt's exception (or the
     * deadline's or shutdown's), with the earlier attempts' failures attached as suppressed exceptions.
     * @return the exception to hand to the caller
     * @throws IllegalStateException if the call did not end on an exception
     */
    public Throwable failure() {
        CallHistory history = this.history;
        Throwable error = (history != null) ? history.endError : null;
        if (error == null) {
            if (!(this.lastOutcome instanceof Outcome.Failure failure)) {
                throw new IllegalStateException("The call did not end on an exception: " + this.lastOutcome);
            }
            error = failure.error();
        }
        return (history != null) ? history.attachTo(error) : error;
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

    /** The call's clock: the time source's, ahead by the waits the call skipped ({@link RetryExecution#skipWait}). */
    long now() {
        CallHistory history = this.history;
        return this.nanoTime.getAsLong() + ((history != null) ? history.skippedNanos : 0);
    }

    /**
     * The time left before the deadline.
     * @return nanoseconds, zero or negative once the deadline has passed
     */
    public long timeLeftNanos() {
        return Durations.toNanos(this.policy.settings().deadline()) - (now() - this.startNanos);
    }

    /**
     * How long the release of a retried response may take: 1 second, never past the deadline.
     * @return nanoseconds, at least 1
     */
    public long releaseNanos() {
        return Math.max(1, Math.min(RELEASE_MAX_NANOS, timeLeftNanos()));
    }

    /**
     * Whether the call has ended (a decision stopped it, or it was cancelled).
     * @return {@code true} once ended
     */
    public boolean ended() {
        return this.ended != 0;
    }

    /**
     * The outcome of the attempt decided on last, as the listener was told of it: an attempt timeout
     * is an {@link AttemptTimeoutException}, the deadline in flight a {@link RetryDeadlineExceededException}.
     * An adapter that reports an attempt elsewhere (an observation) reports this, so every report of
     * one attempt names the same error.
     * @return the outcome, or {@code null} before any attempt was decided on (or, when nobody listens, after a success)
     */
    public @Nullable Outcome lastOutcome() {
        return this.lastOutcome;
    }

    @Nullable HedgeRound hedges() {
        CallHistory history = this.history;
        return (history != null) ? history.hedges : null;
    }

    /**
     * The caller cancelled the call. An attempt (every copy) that was in flight is still counted, as cancelled.
     * @param attemptInFlight whether an attempt was in flight (not yet answered) when the caller cancelled
     */
    public void onCancel(boolean attemptInFlight) {
        this.attemptInFlight = false;
        RetryDecision.Stop cancelled = new RetryDecision.Stop(Category.UNKNOWN_ERROR, StopReason.CANCELLED);
        if (hedges() != null) {
            if (this.ended == 0) {
                lose(0, Outcome.failure(new CancellationException("The caller cancelled the call")), cancelled);
            }
        }
        else if (attemptInFlight && this.ended == 0) {
            told(this.attempts, Outcome.failure(new CancellationException("The caller cancelled the call during attempt "
                    + this.attempts)), cancelled);
        }
        end(StopReason.CANCELLED);
    }

    /**
     * A wait could not be started or was cut short because the application is stopping: the call
     * stops with {@link StopReason#SHUTDOWN}, and {@link #failure()} is this error.
     * @param error what refused or cut the wait
     * @return the stop decision
     */
    public RetryDecision.Stop onShutdown(Throwable error) {
        history().endError = error;
        end(StopReason.SHUTDOWN);
        return new RetryDecision.Stop(Category.UNKNOWN_ERROR, StopReason.SHUTDOWN);
    }

    /** The call ends on attempt {@code attempt}'s answer: the other copies in flight lose. */
    void won(int attempt) {
        HedgeRound hedges = hedges();
        if (hedges != null) {
            hedges.winner = attempt;
            hedges.finished(attempt);
            if (hedges.inFlight() > 0) {
                lose(attempt, Outcome.failure(new CancellationException("Attempt " + attempt + " answered first")),
                        new RetryDecision.Stop(Category.UNKNOWN_ERROR, StopReason.CANCELLED));
            }
        }
    }

    /** Every copy in flight but {@code except} ends with this outcome and decision (the adapter cancels it). */
    void lose(int except, Outcome outcome, RetryDecision decision) {
        HedgeRound hedges = hedges();
        if (hedges != null) {
            hedges.lose(except, (copy) -> this.listener.onAttempt(new AttemptEvent(this.client, this.method, copy, outcome, decision)));
        }
    }

    CallHistory history() {
        CallHistory history = this.history;
        if (history == null) {
            history = new CallHistory();
            this.history = history;
        }
        return history;
    }

    /** The call ends for this reason: told to the listener once, with what the caller gets. */
    void end(StopReason reason) {
        if (ENDED.compareAndSet(this, 0, 1) && this.listener != RetryListener.NONE) {
            HedgeRound hedges = hedges();
            if (hedges != null) {
                hedges.tellHedges(this.listener, this.client, this.method);
            }
            // what the caller gets: the exception of a call that ended between attempts, else the last attempt's outcome
            CallHistory history = this.history;
            Outcome end = (history != null && history.endError != null) ? Outcome.failure(history.endError) : this.lastOutcome;
            this.listener.onCallEnd(new CallEvent(this.client, this.method, this.attempts, reason, end));
        }
    }
}
