package dev.httpretry.webclient;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.LongSupplier;

import dev.httpretry.core.Category;
import dev.httpretry.core.HeaderLookup;
import dev.httpretry.core.Outcome;
import dev.httpretry.core.RetryClient;
import dev.httpretry.core.RetryDecision;
import dev.httpretry.core.RetryExecution;
import dev.httpretry.core.StopReason;
import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.util.context.Context;

import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFunction;

/**
 * One logical call, as a single object: the {@code Mono} the filter returns, the subscription its
 * caller holds and the I/O half of a {@link RetryExecution}, which decides. It subscribes each
 * attempt's exchange itself ({@link AttemptSubscriber}), releases each retried response and waits
 * ({@link NextAttempt}), and hands the final response (or error) to the caller. A second
 * subscription to the same {@code Mono} is a call of its own, on a copy.
 *
 * <p>Concurrency: without hedging, attempts are strictly sequential, and within an attempt exactly
 * one of the response, the error, the timeout and the caller's cancellation acts. A hedged call's
 * copies answer on different threads, so its events are decided under the lock of its
 * {@link HedgedCopies}.
 */
final class RetryingCall extends CallerSubscription<ClientResponse> implements LongSupplier, HeaderLookup {

    private static final AtomicIntegerFieldUpdater<RetryingCall> SUBSCRIBED = AtomicIntegerFieldUpdater.newUpdater(RetryingCall.class,
            "subscribed");

    /** How a call that the caller cancelled, or that ended without a response, settles its copies. */
    private static final RetryDecision CANCELLED = new RetryDecision.Stop(Category.UNKNOWN_ERROR, StopReason.CANCELLED);

    private static final RetryDecision EMPTY = new RetryDecision.Stop(Category.SUCCESS, StopReason.NONE);

    private final RetryExchangeFilterFunction filter;

    private final RetryClient client;

    private final ClientRequest request;

    private final ExchangeFunction next;

    /** Whether this object has been subscribed to, and so is a call in progress. */
    private volatile int subscribed;

    private @Nullable Scheduler scheduler;

    private @Nullable RetryExecution execution;

    /** The request's body, kept to send again; {@code null} for a request without a body. */
    private @Nullable ReplayableBody body;

    /** The attempt in flight, or the last one; for a hedged call, see {@link #copies}. */
    private volatile @Nullable AttemptSubscriber current;

    /** The copies of a hedged call; {@code null} when the call is not hedged. */
    private @Nullable HedgedCopies copies;

    /** The caller's context with the hooks that release what the connector throws away; made once per call. */
    private @Nullable Context attemptContext;

    /** What the call waits on before its next attempt, if anything. */
    private volatile @Nullable Disposable wait;

    RetryingCall(RetryExchangeFilterFunction filter, RetryClient client, ClientRequest request, ExchangeFunction next) {
        this.filter = filter;
        this.client = client;
        this.request = request;
        this.next = next;
    }

    @Override
    public void subscribe(CoreSubscriber<? super ClientResponse> actual) {
        if (SUBSCRIBED.compareAndSet(this, 0, 1)) {
            start(actual);
        }
        else {
            new RetryingCall(this.filter, this.client, this.request, this.next).subscribe(actual);
        }
    }

    private void start(CoreSubscriber<? super ClientResponse> actual) {
        Scheduler scheduler = this.filter.scheduler();
        this.scheduler = scheduler;
        RetryExecution execution = this.filter.calls.start(this.client, this.request.method().name(), this.request.url(), this, this);
        this.execution = execution;
        this.body = (this.request.body() == BodyInserters.empty()) ? null
                : ReplayableBody.of(this.request, execution.settings().bodyReplayLimit());
        long hedgeDelay = execution.hedgeDelayNanos();
        this.copies = (hedgeDelay >= 0) ? new HedgedCopies(hedgeDelay, execution.settings().maxAttempts()) : null;
        subscribed(actual);
        sendAttempt();
    }

    /** The request's headers, for the execution's rules ({@code Idempotency-Key}). */
    @Override
    public @Nullable List<String> values(String name) {
        return this.request.headers().get(name);
    }

    /** The scheduler's clock measures the deadline, so virtual-time tests stay exact. */
    @Override
    public long getAsLong() {
        return scheduler().now(TimeUnit.NANOSECONDS);
    }

    /** The caller cancelled: every attempt in flight and the wait are cancelled. */
    @Override
    void cancelled() {
        lock();
        try {
            boolean inFlight = (this.copies != null) ? this.copies.cancelAll() : cancelCurrent();
            dispose(this.wait);
            execution().onCancel(inFlight);
            if (this.copies != null) {
                this.copies.decided(execution(), CANCELLED);
            }
        }
        finally {
            unlock();
        }
        releaseBody();
    }

    private boolean cancelCurrent() {
        AttemptSubscriber attempt = this.current;
        return attempt != null && attempt.cancelByCaller();
    }

    /** A response the caller will never see (it cancelled) is released, so its connection goes back to the pool. */
    @Override
    void discard(ClientResponse response) {
        Responses.release(response);
    }

    /** Sends the next attempt, unless the caller cancelled or no time is left. */
    void sendAttempt() {
        if (isCancelled()) {
            return;
        }
        lock();
        try {
            if (!execution().startAttempt()) {
                fail();
                return;
            }
            send();
        }
        finally {
            unlock();
        }
    }

    /** The hedge armed when {@code last} was sent is due: send another copy, if the execution allows one. */
    private void hedge(AttemptSubscriber last) {
        HedgedCopies copies = this.copies;
        if (copies == null) {
            return;
        }
        copies.lock();
        try {
            // a body still being recorded by the first copy is not hedged (the copies would race over its recording);
            // a timer that fired as the round ended finds no copy in flight
            if (!isCancelled() && copies.isLatest(last) && execution().copiesInFlight() > 0
                    && (this.body == null || this.body.recorded()) && execution().startHedge()) {
                send();
            }
        }
        finally {
            copies.unlock();
        }
    }

    /** Sends the attempt (or copy) just started. */
    private void send() {
        RetryExecution execution = execution();
        AttemptSubscriber attempt = new AttemptSubscriber(this, execution.attempts(), execution.attemptCutByDeadline());
        this.current = attempt;
        try {
            attempt.timer = scheduler().schedule(attempt, execution.attemptTimeoutNanos(), TimeUnit.NANOSECONDS);
            if (this.copies != null) {
                this.copies.sent(attempt, scheduler(), () -> hedge(attempt));
            }
            ClientRequest sent = AttemptRequests.of(this.request, this.body, execution, this.filter.observations,
                    actualContext(), attempt);
            this.next.exchange(sent).subscribe(attempt);
        }
        catch (RuntimeException ex) {
            attempt.onError(ex);
        }
        if (isCancelled()) {
            attempt.cancelByCaller();
        }
    }

    /** The attempt (or copy) got a response: decided on, then released and retried, or handed to the caller. */
    void onResponse(AttemptSubscriber copy, ClientResponse response) {
        int status = response.statusCode().value();
        RetryDecision decision;
        lock();
        try {
            if (endedWhileHedged()) {
                Responses.release(response);
                return;
            }
            if (status >= 400) {
                checkBody();
            }
            decision = execution().onResponse(copy.number, status, (status < 400) ? HeaderLookup.NONE : Responses.headers(response));
            decided(decision);
        }
        finally {
            unlock();
        }
        if (decision instanceof RetryDecision.OthersGoOn) {
            CallObservation.forgetResponse(actualContext());
            copy.drain = NextAttempt.release(response, scheduler(), execution());
        }
        else if (decision instanceof RetryDecision.Retry retry) {
            CallObservation.forgetResponse(actualContext());
            waitFor(NextAttempt.releaseThenWait(this, response, retry.delay().toNanos()));
        }
        else {
            if (this.copies != null) {
                CallObservation.keepResponse(actualContext(), response);
            }
            releaseBody();
            complete(response);
        }
    }

    /** The attempt failed with an exception. */
    void onAttemptError(AttemptSubscriber copy, Throwable error) {
        onAttemptFailed(copy, Outcome.failure(error));
    }

    /** The attempt got no response in time; its exchange is cancelled. */
    void onAttemptTimeout(AttemptSubscriber copy) {
        onAttemptFailed(copy, null);
    }

    /** The attempt failed with this outcome, or timed out ({@code null}). */
    private void onAttemptFailed(AttemptSubscriber copy, @Nullable Outcome failure) {
        RetryDecision decision;
        lock();
        try {
            if (endedWhileHedged()) {
                if (failure == null) {
                    copy.stopObservation(new CancellationException("The call had ended"));
                }
                return;
            }
            checkBody();
            decision = (failure != null) ? execution().onOutcome(copy.number, failure)
                    : execution().onAttemptTimeout(copy.number, copy.cutByDeadline);
            if (failure == null && execution().lastOutcome() instanceof Outcome.Failure timedOut) {
                // the observation names the error the execution recorded for the timeout
                copy.stopObservation(timedOut.error());
            }
            decided(decision);
        }
        finally {
            unlock();
        }
        if (decision instanceof RetryDecision.Retry retry) {
            waitFor(NextAttempt.waitOnly(this, retry.delay().toNanos()));
        }
        else if (decision instanceof RetryDecision.Stop) {
            fail();
        }
    }

    /** The exchange ended without a response: the empty result goes on, as without retrying. */
    void onAttemptEmpty(AttemptSubscriber copy) {
        lock();
        try {
            if (endedWhileHedged()) {
                return;
            }
            execution().onEmpty();
            decided(EMPTY);
        }
        finally {
            unlock();
        }
        releaseBody();
        completeEmpty();
    }

    /** A decision on a hedged call's copy: the copies it made lose are cancelled. */
    private void decided(RetryDecision decision) {
        if (this.copies != null) {
            this.copies.decided(execution(), decision);
        }
    }

    /** The call waits on this (a release, a timer) before its next attempt, unless the caller cancelled meanwhile. */
    void waitFor(@Nullable Disposable waiting) {
        this.wait = waiting;
        if (waiting != null && isCancelled()) {
            waiting.dispose();
        }
    }

    /** The application is stopping: the wait before the next attempt was refused or cut, and the call ends so. */
    void stopped(Throwable reason) {
        execution().onShutdown(reason);
        fail();
    }

    private void fail() {
        releaseBody();
        completeError(execution().failure());
    }

    /** A body that cannot be sent again as it was makes a retry unsafe once the request may have reached the server. */
    private void checkBody() {
        if (this.body != null) {
            this.body.attemptEnded();
            if (!this.body.replayable()) {
                execution().bodyNotReplayable();
            }
        }
    }

    private void releaseBody() {
        if (this.body != null) {
            this.body.release();
        }
    }

    /** Whether a hedged call's event must be ignored: the call has ended (another copy won, the caller cancelled), and was counted then. */
    private boolean endedWhileHedged() {
        return this.copies != null && execution().ended();
    }

    /**
     * The caller's context, plus a discard hook and a dropped-value hook: a response (or connection)
     * the connector throws away when a cancel overtakes it is released ({@link Responses#releaseDiscarded}).
     * Made once per call; cheaper than a {@code doOnDiscard} operator per attempt.
     */
    Context attemptContext() {
        Context context = this.attemptContext;
        if (context == null) {
            context = Responses.releasingContext(actualContext());
            this.attemptContext = context;
        }
        return context;
    }

    RetryExchangeFilterFunction filter() {
        return this.filter;
    }

    RetryExecution execution() {
        RetryExecution execution = this.execution;
        if (execution == null) {
            throw new IllegalStateException("The call has not started");
        }
        return execution;
    }

    Scheduler scheduler() {
        Scheduler scheduler = this.scheduler;
        if (scheduler == null) {
            throw new IllegalStateException("The call has not started");
        }
        return scheduler;
    }

    private void lock() {
        if (this.copies != null) {
            this.copies.lock();
        }
    }

    private void unlock() {
        if (this.copies != null) {
            this.copies.unlock();
        }
    }

    private static void dispose(@Nullable Disposable disposable) {
        if (disposable != null) {
            disposable.dispose();
        }
    }

}
