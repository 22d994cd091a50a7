package dev.httpretry.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * <p>Hedging ({@link RetrySettings.HedgingSettings}): while copies of the request are in flight the
 * adapter may ask {@link #startHedge()} for another one, and reports each copy's outcome under its
 * own attempt number. A copy's failure that would be retried, while other copies are still in
 * flight, is answered with a {@link RetryDecision.Retry} from {@link DelaySource#HEDGE}: release it
 * and let the others run. The first outcome that is not retried ends the call; the copies still in
 * flight are then counted as lost, and the adapter cancels them. When the last copy of a round fails,
 * the decision is the one a call without hedging would get.
 *
 * <p>Not thread-safe: the adapter reports one event at a time (a hedging adapter under a lock). Only
 * the call's end is guarded, so a caller's cancellation racing the last outcome ends the call once.
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

    /** Whether the attempt last started has not been reported on yet. */
    private boolean attemptInFlight;

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
        arm(left);
        Hedges hedges = hedges();
        if (hedges != null) {
            hedges.started(this.attempts);
        }
        return true;
    }

    private void arm(long left) {
        this.attempts++;
        this.attemptInFlight = true;
        long timeout = Durations.toNanos(this.policy.settings().attemptTimeout());
        this.cutByDeadline = left <= timeout;
        this.attemptTimeoutNanos = Math.min(left, timeout);
    }

    /**
     * How long the copies of this call go unanswered before another copy is sent, when the call is
     * hedged: hedging is on and the request may be sent again after it reached the server (its method
     * is in {@code methods}, or it carries an {@code Idempotency-Key}).
     * @return the hedging delay in nanoseconds, or {@code -1} when this call is not hedged
     */
    public long hedgeDelayNanos() {
        RetrySettings settings = this.policy.settings();
        RetrySettings.HedgingSettings hedging = settings.hedging();
        if (!hedging.enabled() || hedging.maxHedges() == 0 || settings.maxAttempts() < 2) {
            return -1;
        }
        boolean safe = this.idempotencyKey || settings.methods().contains(this.method)
                || settings.methods().contains(this.method.toUpperCase(Locale.ROOT));
        return safe ? Durations.toNanos(hedging.delay()) : -1;
    }

    /**
     * Starts a hedge: another copy of the request, sent while the copies before it are still in flight
     * and unanswered. Call it only then. It is refused when the call is not hedged, has ended, has sent
     * {@code max-hedges} copies or {@code max-attempts} attempts, has no time left, cannot send its body
     * again, or has been pushed back by the server; and when the budget refuses it (told to the listener
     * as {@link HedgeEvent.Outcome#REFUSED}), after which the call sends no more hedges.
     * @return {@code true} if the copy may be sent, bounded by {@link #attemptTimeoutNanos()}, as attempt
     *     {@link #attempts()}
     */
    public boolean startHedge() {
        if (this.ended != 0 || !this.bodyReplayable || hedgeDelayNanos() < 0) {
            return false;
        }
        History history = history();
        Hedges hedges = history.hedges;
        if (hedges == null) {
            if (!this.attemptInFlight) {
                return false;
            }
            hedges = new Hedges(this.policy.settings().hedging().maxHedges());
            hedges.started(this.attempts);
            history.hedges = hedges;
        }
        long left = timeLeftNanos();
        if (hedges.stopped || hedges.sentCount == hedges.sent.length || hedges.inFlightCount == 0
                || this.attempts >= this.policy.settings().maxAttempts() || left <= 0) {
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
        hedges.started(this.attempts);
        hedges.sent[hedges.sentCount++] = this.attempts;
        return true;
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
     * The attempt got a response below 400: the call succeeds. Allocates nothing unless someone listens.
     * @param status the response status
     * @return the shared success decision
     */
    public RetryDecision onSuccess(int status) {
        return onSuccess(this.attempts, status);
    }

    /**
     * Attempt {@code attempt} (a copy of a hedged call) got a response below 400: the call succeeds,
     * and the other copies in flight lose.
     * @param attempt the number of the attempt that answered
     * @param status the response status
     * @return the shared success decision
     */
    public RetryDecision onSuccess(int attempt, int status) {
        this.attemptInFlight = false;
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
        return onOutcome(this.attempts, outcome);
    }

    /**
     * Attempt {@code attempt} (a copy of a hedged call) produced this outcome: decide on it. While
     * other copies are in flight, a failure that would be retried is answered with a
     * {@link RetryDecision.Retry} from {@link DelaySource#HEDGE} (no wait: the others go on), and so is
     * any exception; a response that is not retried ends the call, the others losing. The last copy in flight is decided
     * on as {@link #onOutcome(Outcome)} decides.
     * @param attempt the number of the attempt that produced it
     * @param outcome the response or exception
     * @return the decision
     */
    public RetryDecision onOutcome(int attempt, Outcome outcome) {
        if (outcome instanceof Outcome.Response response && response.status() < 400) {
            return onSuccess(attempt, response.status());
        }
        this.attemptInFlight = false;
        History history = this.history;
        Hedges hedges = (history != null) ? history.hedges : null;
        boolean othersInFlight = hedges != null && hedges.finished(attempt) && hedges.inFlightCount > 0;
        Attempt record = new Attempt(this.attempts, outcome, this.method, this.idempotencyKey, Duration.ofNanos(timeLeftNanos()),
                (history != null) ? history.serverErrorRetries : 0, (history != null) ? history.previousDelay : null,
                this.bodyReplayable);
        RetryDecision decision;
        if (othersInFlight && hedges != null) {
            decision = this.policy.decide(record, RetryBudget.unlimited());
            // only a response answers for the call; a copy's own exception leaves the others running
            if (!(outcome instanceof Outcome.Response && decision instanceof RetryDecision.Stop stop && isFinal(stop.reason()))) {
                return copyFailed(attempt, outcome, decision, hedges);
            }
        }
        else {
            // a copy told to wait longer than allowed ends the call once the last copy fails: no retry takes from the budget then
            StopReason pushedBeyond = (hedges != null) ? hedges.stopReason : null;
            decision = this.policy.decide(record, (pushedBeyond != null) ? RetryBudget.unlimited() : this.budget);
            if (hedges != null && decision instanceof RetryDecision.Retry retry) {
                decision = (pushedBeyond != null) ? new RetryDecision.Stop(retry.category(), pushedBeyond)
                        : hedges.pushedBack(retry, this.nanoTime.getAsLong(), timeLeftNanos());
            }
        }
        this.lastOutcome = outcome;
        this.listener.onAttempt(new AttemptEvent(this.client, this.method, attempt, outcome, decision));
        if (decision instanceof RetryDecision.Retry retry) {
            History retried = history();
            if (retry.category() == Category.SERVER_ERROR) {
                retried.serverErrorRetries++;
            }
            retried.previousDelay = retry.delay();
            retried.addEarlierFailure(outcome, attempt, this.policy.settings().maxAttempts());
            this.listener.onBackoff(new BackoffEvent(this.client, this.method, attempt, retry.delay(), retry.source()));
        }
        else {
            StopReason reason = ((RetryDecision.Stop) decision).reason();
            if (isFinal(reason)) {
                won(attempt);
            }
            end(reason);
        }
        return decision;
    }

    /** Whether an outcome stopped for this reason is the call's answer, whichever copy got it. */
    private static boolean isFinal(StopReason reason) {
        return reason == StopReason.NOT_RETRYABLE || reason == StopReason.UNSAFE_METHOD || reason == StopReason.BODY_NOT_REPLAYABLE;
    }

    /** A copy failed in a way that would be retried while others are still in flight: they go on. */
    private RetryDecision copyFailed(int attempt, Outcome outcome, RetryDecision alone, Hedges hedges) {
        History history = history();
        Category category = alone.category();
        if (category == Category.SERVER_ERROR) {
            history.serverErrorRetries++;
        }
        history.addEarlierFailure(outcome, attempt, this.policy.settings().maxAttempts());
        if (alone instanceof RetryDecision.Retry retry && retry.source() != DelaySource.BACKOFF) {
            // the server pushed back: no more copies, and no next round before it allows
            hedges.stopped = true;
            hedges.notBefore(this.nanoTime.getAsLong() + retry.delay().toNanos(), retry.source());
        }
        else if (alone instanceof RetryDecision.Stop stop
                && (stop.reason() == StopReason.RETRY_AFTER_TOO_LONG || stop.reason() == StopReason.DEADLINE)) {
            // told to wait longer than allowed or than the deadline leaves: no more copies, and the call ends so once the others fail
            hedges.stopped = true;
            if (hedges.stopReason == null) {
                hedges.stopReason = stop.reason();
            }
        }
        RetryDecision.Retry goOn = new RetryDecision.Retry(category, Duration.ZERO, DelaySource.HEDGE);
        this.lastOutcome = outcome;
        this.listener.onAttempt(new AttemptEvent(this.client, this.method, attempt, outcome, goOn));
        return goOn;
    }

    /**
     * The attempt got no response within {@link #attemptTimeoutNanos()}; the adapter has cancelled
     * it. When that was the deadline, the call stops with {@link StopReason#DEADLINE} and
     * {@link #failure()} is a {@link RetryDeadlineExceededException}; otherwise the attempt failed
     * with an {@link AttemptTimeoutException}, decided on like any failure.
     * @return the decision
     */
    public RetryDecision onAttemptTimeout() {
        return onAttemptTimeout(this.attempts, this.cutByDeadline);
    }

    /**
     * Attempt {@code attempt} (a copy of a hedged call) got no response within its timeout. When that
     * was the deadline, every copy still in flight is cut with it.
     * @param attempt the number of the attempt
     * @param cutByDeadline what {@link #attemptCutByDeadline()} said when it started
     * @return the decision
     */
    public RetryDecision onAttemptTimeout(int attempt, boolean cutByDeadline) {
        if (!cutByDeadline) {
            return onOutcome(attempt, Outcome.failure(new AttemptTimeoutException(this.policy.settings().attemptTimeout(), attempt)));
        }
        this.attemptInFlight = false;
        RetryDeadlineExceededException error = deadlineExceeded(true);
        Outcome outcome = Outcome.failure(error);
        RetryDecision.Stop stop = new RetryDecision.Stop(Category.RESPONSE_TIMEOUT, StopReason.DEADLINE);
        this.lastOutcome = outcome;
        this.listener.onAttempt(new AttemptEvent(this.client, this.method, attempt, outcome, stop));
        lose(attempt, outcome, stop);
        end(StopReason.DEADLINE);
        return stop;
    }

    /**
     * The caller cancelled the call. An attempt that was in flight is still counted, as cancelled.
     * @param attemptInFlight whether an attempt was in flight (not yet answered) when the caller cancelled
     */
    public void onCancel(boolean attemptInFlight) {
        this.attemptInFlight = false;
        if (hedges() != null) {
            if (this.ended == 0) {
                lose(0, Outcome.failure(new CancellationException("The caller cancelled the call")),
                        new RetryDecision.Stop(Category.UNKNOWN_ERROR, StopReason.CANCELLED));
            }
        }
        else if (attemptInFlight && this.ended == 0) {
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
     * The outcome of the attempt decided on last, as the listener was told of it: an attempt timeout
     * is an {@link AttemptTimeoutException}, the deadline in flight a {@link RetryDeadlineExceededException}.
     * An adapter that reports an attempt elsewhere (an observation) reports this, so every report of
     * one attempt names the same error.
     * @return the outcome, or {@code null} before any attempt was decided on (or, when nobody
     *     listens, after a success)
     */
    public @Nullable Outcome lastOutcome() {
        return this.lastOutcome;
    }

    /**
     * Whether the call has ended (a decision stopped it, or it was cancelled).
     * @return {@code true} once ended
     */
    public boolean ended() {
        return this.ended != 0;
    }

    private @Nullable Hedges hedges() {
        History history = this.history;
        return (history != null) ? history.hedges : null;
    }

    /** The call ends on attempt {@code attempt}'s answer: the other copies in flight lose. */
    private void won(int attempt) {
        Hedges hedges = hedges();
        if (hedges != null) {
            hedges.winner = attempt;
            hedges.finished(attempt);
            if (hedges.inFlightCount > 0 && this.listener != RetryListener.NONE) {
                lose(attempt, Outcome.failure(new CancellationException("Attempt " + attempt + " answered first")),
                        new RetryDecision.Stop(Category.UNKNOWN_ERROR, StopReason.CANCELLED));
            }
            hedges.inFlightCount = 0;
        }
    }

    /** Every copy in flight but {@code except} ends with this outcome and decision (the adapter cancels it). */
    private void lose(int except, Outcome outcome, RetryDecision decision) {
        Hedges hedges = hedges();
        if (hedges == null) {
            return;
        }
        for (int i = 0; i < hedges.inFlightCount; i++) {
            int other = hedges.inFlight[i];
            if (other != except) {
                this.listener.onAttempt(new AttemptEvent(this.client, this.method, other, outcome, decision));
            }
        }
        hedges.inFlightCount = 0;
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

        /** The copies of a call that has sent a hedge, or tried to. */
        @Nullable Hedges hedges;

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

    /** The copies of a hedged call: those in flight, the hedges sent, and what ended the hedging. */
    private static final class Hedges {

        /** The attempt numbers of the copies in flight: the current round's copies that have not been decided on. */
        final int[] inFlight;

        int inFlightCount;

        /** The attempt numbers of the hedges sent. */
        final int[] sent;

        int sentCount;

        /** No more hedges: the budget refused one, or the server pushed back. */
        boolean stopped;

        /** The attempt whose outcome the call ended on, when it was not retried; 0 otherwise. */
        int winner;

        /** When the server's pushback received by a copy ends ({@code nanoTime}), if {@link #notBeforeSource} is set. */
        long notBeforeNanos;

        @Nullable DelaySource notBeforeSource;

        /** Why the call stops when its last copy fails: a copy was told to wait longer than allowed; {@code null} otherwise. */
        @Nullable StopReason stopReason;

        Hedges(int maxHedges) {
            this.inFlight = new int[maxHedges + 1];
            this.sent = new int[maxHedges];
        }

        void started(int attempt) {
            if (this.inFlightCount == this.inFlight.length) {
                throw new IllegalStateException("More copies in flight than 1 + max-hedges: " + java.util.Arrays.toString(this.inFlight));
            }
            this.inFlight[this.inFlightCount++] = attempt;
        }

        /** Takes the attempt out of those in flight; {@code false} if it was not in flight. */
        boolean finished(int attempt) {
            for (int i = 0; i < this.inFlightCount; i++) {
                if (this.inFlight[i] == attempt) {
                    this.inFlight[i] = this.inFlight[--this.inFlightCount];
                    return true;
                }
            }
            return false;
        }

        void notBefore(long nanos, DelaySource source) {
            if (this.notBeforeSource == null || nanos - this.notBeforeNanos > 0) {
                this.notBeforeNanos = nanos;
                this.notBeforeSource = source;
            }
        }

        /** The retry, waiting at least until the pushback an earlier copy received ends; a stop if that reaches the deadline. */
        RetryDecision pushedBack(RetryDecision.Retry retry, long now, long timeLeftNanos) {
            DelaySource source = this.notBeforeSource;
            long wait = this.notBeforeNanos - now;
            if (source == null || wait <= retry.delay().toNanos()) {
                return retry;
            }
            if (wait >= timeLeftNanos) {
                return new RetryDecision.Stop(retry.category(), StopReason.DEADLINE);
            }
            return new RetryDecision.Retry(retry.category(), Duration.ofNanos(wait), source);
        }
    }

    private void end(StopReason reason) {
        if (ENDED.compareAndSet(this, 0, 1) && this.listener != RetryListener.NONE) {
            Hedges hedges = hedges();
            if (hedges != null) {
                for (int i = 0; i < hedges.sentCount; i++) {
                    int hedge = hedges.sent[i];
                    this.listener.onHedge(new HedgeEvent(this.client, this.method, hedge,
                            hedge == hedges.winner ? HedgeEvent.Outcome.WON : HedgeEvent.Outcome.LOST));
                }
            }
            // what the caller gets: the exception of a call that ended between attempts, else the last attempt's outcome
            History history = this.history;
            Outcome end = (history != null && history.endError != null) ? Outcome.failure(history.endError) : this.lastOutcome;
            this.listener.onCallEnd(new CallEvent(this.client, this.method, this.attempts, reason, end));
        }
    }
}
