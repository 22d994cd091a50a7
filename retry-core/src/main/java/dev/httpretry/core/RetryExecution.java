package dev.httpretry.core;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * One logical call under a {@link RetryPolicy}, from its first attempt to its end: it counts the
 * attempts and the retried 500s, keeps the previous wait, the time left before the deadline and the
 * earlier failures, draws from the budget, decides on every outcome (success included) and tells
 * the listener of each attempt, each wait and, exactly once, the call's end. Started by
 * {@link RetryClient#start}, the one way into core for every client type.
 *
 * <p>An adapter (a reactive filter, a blocking interceptor) does the I/O and reports what happened:
 * {@link #startAttempt()} before each attempt, then exactly one of {@link #onResponse},
 * {@link #onOutcome(Outcome)}, {@link #onAttemptTimeout()} or {@link #onCancel(boolean)} for it. A
 * {@link RetryDecision.Retry} asks it to release the response ({@link #releaseNanos()}, at most
 * {@link #RELEASE_MAX_BYTES}), wait and start the next attempt; a {@link RetryDecision.Stop} ends the
 * call: the adapter hands the last response to the caller as it is, or {@link #failure()}.
 *
 * <p>Hedging: while copies are in flight the adapter may ask {@link #startHedge()} for another and
 * reports each copy's outcome under its own attempt number; a copy's failure that would be retried
 * while others are in flight is answered with {@link RetryDecision.OthersGoOn}. When a decision
 * settles the round, {@link #forEachLostCopy} says which copies to cancel. The rules live in
 * {@link HedgeRound}.
 *
 * <p>Not thread-safe: the adapter reports one event at a time (a hedging adapter under a lock). Only
 * the call's end is guarded, so a caller's cancellation racing the last outcome ends the call once.
 */
public final class RetryExecution extends LearningState {

    /** The most bytes of a retried response read to release its connection; a longer body's connection is closed. */
    public static final int RELEASE_MAX_BYTES = 64 * 1024;

    /** The decision on a success: it has no state, so it is shared. */
    private static final RetryDecision.Stop SUCCESS = new RetryDecision.Stop(Category.SUCCESS, StopReason.NONE);

    RetryExecution(RetryPolicy policy, String client, String method, boolean idempotencyKey, RetryBudget budget,
            RetryListener listener, LongSupplier nanoTime) {
        super(policy, client, method, idempotencyKey, budget, listener, nanoTime);
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
        arm(left);
        HedgeRound hedges = hedges();
        if (hedges != null) {
            hedges.started(this.attempts);
        }
        learnSent(this.attempts);
        return true;
    }

    /**
     * How long the copies of this call go unanswered before another is sent, when it is hedged:
     * hedging is on and the request may be sent again once it reached the server (its method is in
     * {@code methods}, or it carries an {@code Idempotency-Key}).
     * @return the delay in nanoseconds, or {@code -1} when this call is not hedged
     */
    public long hedgeDelayNanos() {
        RetrySettings settings = this.policy.settings();
        RetrySettings.HedgingSettings hedging = settings.hedging();
        if (!hedging.enabled() || hedging.maxHedges() == 0 || settings.maxAttempts() < 2) {
            return -1;
        }
        boolean safe = this.idempotencyKey || settings.methods().contains(this.method.toUpperCase(Locale.ROOT));
        return safe ? learnedHedgeDelayNanos() : -1;
    }

    /**
     * Starts a hedge: another copy, sent while earlier ones are in flight and unanswered. Refused when
     * the call is not hedged, has ended, has sent {@code max-hedges} copies or {@code max-attempts}
     * attempts, has no time left, cannot send its body again, or was pushed back by the server; and
     * when the budget refuses it ({@link HedgeEvent.Outcome#REFUSED}), after which it sends no more.
     * @return {@code true} if the copy may be sent, as attempt {@link #attempts()}, bounded by {@link #attemptTimeoutNanos()}
     */
    public boolean startHedge() {
        if (this.ended != 0 || !this.bodyReplayable || hedgeDelayNanos() < 0) {
            return false;
        }
        CallHistory history = history();
        HedgeRound hedges = history.hedges;
        if (hedges == null) {
            if (!this.attemptInFlight) {
                return false;
            }
            hedges = new HedgeRound(this.policy.settings().hedging().maxHedges());
            hedges.started(this.attempts);
            history.hedges = hedges;
        }
        long left = timeLeftNanos();
        if (!hedges.mayHedge() || this.attempts >= this.policy.settings().maxAttempts() || left <= 0 || !hedgeTurn()) {
            return false;
        }
        if (!this.budget.tryAcquireRetry()) {
            hedges.stopped = true;
            if (this.listener != RetryListener.NONE) {
                this.listener.onHedge(new HedgeEvent(this.client, this.method, this.attempts + 1, HedgeEvent.Outcome.REFUSED));
            }
            return false;
        }
        arm(left);
        hedges.hedgeSent(this.attempts);
        learnSent(this.attempts);
        return true;
    }

    /**
     * Attempt {@code attempt} got a response: below 400 the call succeeds (nothing is allocated unless
     * someone listens, and the other copies of a hedged call lose); else it is decided on, as
     * {@link #onOutcome(int, Outcome)}, from its status and the headers a server pushes back with.
     * @param attempt the number of the attempt (the copy) that answered
     * @param status the response status
     * @param headers the response's headers
     * @return the decision
     */
    public RetryDecision onResponse(int attempt, int status, HeaderLookup headers) {
        return (status < 400) ? onSuccess(attempt, status) : onOutcome(attempt, Outcome.fromHeaders(status, headers));
    }

    /**
     * The attempt last started got a response below 400: the call succeeds.
     * @param status the response status
     * @return the shared success decision
     */
    public RetryDecision onSuccess(int status) {
        return onSuccess(this.attempts, status);
    }

    private RetryDecision onSuccess(int attempt, int status) {
        this.attemptInFlight = false;
        learnSucceeded(attempt);
        if (this.listener != RetryListener.NONE) {
            Outcome outcome = Outcome.response(status);
            this.lastOutcome = outcome;
            this.listener.onAttempt(new AttemptEvent(this.client, this.method, attempt, outcome, SUCCESS));
        }
        won(attempt);
        end(StopReason.NONE);
        return SUCCESS;
    }

    /**
     * The attempt ended without any response or exception (a client that completes empty): the call
     * ends as a success without an attempt event, and the adapter passes the empty result on.
     */
    public void onEmpty() {
        this.attemptInFlight = false;
        HedgeRound hedges = hedges();
        if (hedges != null) {
            hedges.lose(0, (copy) -> { });
        }
        end(StopReason.NONE);
    }

    /**
     * The attempt last started produced this outcome: decide on it.
     * @param outcome the response or exception the attempt produced
     * @return the decision
     */
    public RetryDecision onOutcome(Outcome outcome) {
        return onOutcome(this.attempts, outcome);
    }

    /**
     * Attempt {@code attempt} produced this outcome: decide on it. On a retry the outcome becomes one of
     * the earlier failures and the wait is told to the listener; on a stop the call ends. While other
     * copies are in flight, a failure that would be retried (and any exception) is answered with
     * {@link RetryDecision.OthersGoOn}, and a response that is not retried ends the call, the others losing.
     * @param attempt the number of the attempt that produced it
     * @param outcome the response or exception
     * @return the decision
     */
    public RetryDecision onOutcome(int attempt, Outcome outcome) {
        if (outcome instanceof Outcome.Response response && response.status() < 400) {
            return onSuccess(attempt, response.status());
        }
        this.attemptInFlight = false;
        learnEnded(attempt, outcome);
        CallHistory history = this.history;
        HedgeRound hedges = (history != null) ? history.hedges : null;
        boolean othersInFlight = hedges != null && hedges.finished(attempt) && hedges.inFlight() > 0;
        Attempt record = new Attempt(this.attempts, outcome, this.method, this.idempotencyKey, Duration.ofNanos(timeLeftNanos()),
                (history != null) ? history.serverErrorRetries : 0, (history != null) ? history.previousDelay : null,
                this.bodyReplayable, (history == null || history.skippedNanos == 0) ? Duration.ZERO : Duration.ofNanos(history.skippedNanos));
        RetryDecision decision;
        if (othersInFlight && hedges != null) {
            RetryDecision alone = this.policy.decide(record, RetryBudget.unlimited());
            // only a response answers for the call; a copy's own exception leaves the others running
            if (!(outcome instanceof Outcome.Response && alone instanceof RetryDecision.Stop stop && stop.reason().isFinal())) {
                hedges.copyFailed(alone, now());
                history().failed(alone.category(), outcome, attempt, this.policy.settings().maxAttempts());
                return told(attempt, outcome, new RetryDecision.OthersGoOn(alone.category()));
            }
            decision = alone;
        }
        else {
            // a copy told to wait longer than allowed ends the call when the last copy fails: then no retry takes from the budget
            boolean pushedBeyond = hedges != null && hedges.stopReason != null;
            decision = this.policy.decide(record, pushedBeyond ? RetryBudget.unlimited() : this.budget);
            if (hedges != null) {
                decision = hedges.lastCopy(decision, now(), timeLeftNanos());
            }
        }
        told(attempt, outcome, decision);
        if (decision instanceof RetryDecision.Retry retry) {
            CallHistory retried = history();
            retried.failed(retry.category(), outcome, attempt, this.policy.settings().maxAttempts());
            retried.previousDelay = retry.delay();
            this.listener.onBackoff(new BackoffEvent(this.client, this.method, attempt, retry.delay(), retry.source()));
        }
        else {
            StopReason reason = ((RetryDecision.Stop) decision).reason();
            if (reason.isFinal()) {
                won(attempt);
            }
            end(reason);
        }
        return decision;
    }

    /**
     * The attempt last started got no response within {@link #attemptTimeoutNanos()}; the adapter has
     * cancelled it. When that was the deadline, the call stops with {@link StopReason#DEADLINE} and
     * {@link #failure()} is a {@link RetryDeadlineExceededException}; otherwise the attempt failed with
     * an {@link AttemptTimeoutException}, decided on like any failure.
     * @return the decision
     */
    public RetryDecision onAttemptTimeout() {
        return onAttemptTimeout(this.attempts, this.cutByDeadline);
    }

    /**
     * Attempt {@code attempt} (a copy of a hedged call) got no response within its timeout. When that
     * was the deadline, every copy in flight is cut with it.
     * @param attempt the number of the attempt
     * @param cutByDeadline what {@link #attemptCutByDeadline()} said when it started
     * @return the decision
     */
    public RetryDecision onAttemptTimeout(int attempt, boolean cutByDeadline) {
        if (!cutByDeadline) {
            return onOutcome(attempt, Outcome.failure(new AttemptTimeoutException(this.policy.settings().attemptTimeout(), attempt)));
        }
        this.attemptInFlight = false;
        Outcome outcome = Outcome.failure(deadlineExceeded(true));
        learnEnded(attempt, outcome);
        RetryDecision.Stop stop = new RetryDecision.Stop(Category.RESPONSE_TIMEOUT, StopReason.DEADLINE);
        told(attempt, outcome, stop);
        lose(attempt, outcome, stop);
        end(StopReason.DEADLINE);
        return stop;
    }

    /**
     * The call will not wait for the delay of the retry just decided (tests that skip waits): its
     * clock moves on by that delay instead, so that its deadline, and any HTTP-date a later answer
     * carries, are decided as if it had waited.
     * @param delayNanos the decided delay
     */
    public void skipWait(long delayNanos) {
        history().skippedNanos += delayNanos;
    }

    private RetryDeadlineExceededException deadlineExceeded(boolean cancelled) {
        Outcome last = this.lastOutcome;
        String lastFailure = (last instanceof Outcome.Response response) ? "status " + response.status()
                : (last instanceof Outcome.Failure failure) ? failure.error().toString() : null;
        return new RetryDeadlineExceededException(this.policy.settings().deadline(), this.attempts, cancelled, lastFailure);
    }
}
