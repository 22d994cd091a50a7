package dev.httpretry.webclient;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.LongSupplier;

import dev.httpretry.core.HeaderLookup;
import dev.httpretry.core.Outcome;
import dev.httpretry.core.RetryClient;
import dev.httpretry.core.RetryDecision;
import dev.httpretry.core.RetryExecution;
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
 * One logical call as a single object: the {@code Mono} the filter returns, its caller's subscription
 * and the I/O half of a {@link RetryExecution}, which decides. Each attempt is an
 * {@link AttemptSubscriber}; {@link NextAttempt} releases and waits; the final response (or error)
 * goes to the caller. A second subscription is a call of its own. Without hedging, attempts are
 * sequential and within one exactly one of response, error, timeout and cancel acts; a hedged call's
 * copies answer on different threads, so its events are decided under its {@link HedgedCopies}' lock.
 */
final class RetryingCall extends CallerSubscription<ClientResponse> implements LongSupplier, HeaderLookup {

    private static final AtomicIntegerFieldUpdater<RetryingCall> SUBSCRIBED = AtomicIntegerFieldUpdater.newUpdater(RetryingCall.class,
            "subscribed");

    final RetryExchangeFilterFunction filter;
    private final RetryClient client;
    final ClientRequest request;
    final ExchangeFunction next;
    final Scheduler scheduler;
    final RetryExecution execution;

    /** Whether this object has been subscribed to, and so is a call in progress. */
    private volatile int subscribed;

    /** The request's body, kept to send again; {@code null} for a request without a body. */
    final @Nullable ReplayableBody body;

    /** The copies of a hedged call; {@code null} when the call is not hedged. */
    private final @Nullable HedgedCopies copies;

    /** The attempt in flight, or the last one; for a hedged call, see {@link #copies}. */
    private volatile @Nullable AttemptSubscriber current;

    /** The caller's context with the hooks that release what the connector throws away; made once per call. */
    private @Nullable Context attemptContext;

    /** What the call waits on before its next attempt, if anything. */
    private volatile @Nullable Disposable wait;

    /**
     * A call of this request. WebClient asks its filters for the exchange when the caller subscribes,
     * so the call starts here: its scheduler is looked up, its deadline starts and its budget is credited.
     */
    RetryingCall(RetryExchangeFilterFunction filter, RetryClient client, ClientRequest request, ExchangeFunction next) {
        this.filter = filter;
        this.client = client;
        this.request = request;
        this.next = next;
        this.scheduler = filter.scheduler();
        this.execution = filter.calls.start(client, request.attributes(), request.method().name(), request.url(), this, this);
        this.body = (request.body() == BodyInserters.empty()) ? null : ReplayableBody.of(request, this.execution.settings().bodyReplayLimit());
        long hedgeDelay = this.execution.hedgeDelayNanos();
        this.copies = (hedgeDelay >= 0) ? new HedgedCopies(hedgeDelay, this.execution.settings().maxAttempts()) : null;
    }

    /** Each subscription is a call of its own: the first is this one, a later one a copy, started anew. */
    @Override
    public void subscribe(CoreSubscriber<? super ClientResponse> actual) {
        if (SUBSCRIBED.compareAndSet(this, 0, 1)) {
            subscribed(actual);
            NextAttempt.takeTurn(this);
        }
        else {
            new RetryingCall(this.filter, this.client, this.request, this.next).subscribe(actual);
        }
    }

    /** The request's headers, for the execution's rules. */
    @Override
    public @Nullable List<String> values(String name) {
        return this.request.headers().get(name);
    }

    /** The scheduler's clock measures the deadline, so virtual-time tests stay exact. */
    @Override
    public long getAsLong() {
        return this.scheduler.now(TimeUnit.NANOSECONDS);
    }

    /** The caller cancelled: every attempt in flight and the wait are cancelled. */
    @Override
    void cancelled() {
        lock();
        try {
            AttemptSubscriber attempt = this.current;
            boolean inFlight = (this.copies != null) ? this.copies.cancelAll() : attempt != null && attempt.cancelByCaller();
            Disposable waiting = this.wait;
            if (waiting != null) {
                waiting.dispose();
            }
            this.execution.onCancel(inFlight);
            if (this.copies != null) {
                this.copies.ended(this.execution);
            }
        }
        finally {
            unlock();
        }
        releaseBody();
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
            if (!this.execution.startAttempt()) {
                fail();
                return;
            }
            send();
        }
        finally {
            unlock();
        }
    }

    /** Whether a hedge may go out now: a copy is unanswered, the body is whole (copies must not race over its recording), the execution allows one. */
    boolean mayHedge() {
        return !isCancelled() && this.execution.copiesInFlight() > 0 && (this.body == null || this.body.recorded())
                && this.execution.startHedge();
    }

    /** Sends the attempt (or copy) just started. */
    void send() {
        this.current = AttemptSubscriber.send(this, this.copies);
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
            decision = this.execution.onResponse(copy.number, status, (status < 400) ? HeaderLookup.NONE : Responses.headers(response));
            decided(decision);
        }
        finally {
            unlock();
        }
        NextAttempt.afterResponse(this, copy, response, decision);
    }

    /** The attempt failed with this outcome (an exception), or timed out ({@code null}): its exchange is cancelled. */
    void onAttemptFailed(AttemptSubscriber copy, @Nullable Outcome failure) {
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
            decision = (failure != null) ? this.execution.onOutcome(copy.number, failure)
                    : this.execution.onAttemptTimeout(copy.number, copy.cutByDeadline);
            if (failure == null && this.execution.lastOutcome() instanceof Outcome.Failure timedOut) {
                // the observation names the error the execution recorded for the timeout
                copy.stopObservation(timedOut.error());
            }
            decided(decision);
        }
        finally {
            unlock();
        }
        NextAttempt.afterFailure(this, decision);
    }

    /** The exchange ended without a response: the empty result goes on, as without retrying. */
    void onAttemptEmpty(AttemptSubscriber copy) {
        lock();
        try {
            if (endedWhileHedged()) {
                return;
            }
            this.execution.onEmpty();
            if (this.copies != null) {
                this.copies.ended(this.execution);
            }
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
            this.copies.decided(this.execution, decision);
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
        this.execution.onShutdown(reason);
        fail();
    }

    void fail() {
        releaseBody();
        completeError(this.execution.failure());
    }

    /** A body that cannot be sent again as it was makes a retry unsafe once the request may have reached the server. */
    private void checkBody() {
        if (this.body != null && !this.body.attemptEnded()) {
            this.execution.bodyNotReplayable();
        }
    }

    void releaseBody() {
        if (this.body != null) {
            this.body.release();
        }
    }

    /** Whether the call may be hedged: its copies then report from different threads, under a lock. */
    boolean hedged() {
        return this.copies != null;
    }

    /** Whether a hedged call's event must be ignored: the call has ended (another copy won, the caller cancelled), and was counted then. */
    private boolean endedWhileHedged() {
        return hedged() && this.execution.ended();
    }

    /** The caller's context with hooks that release what the connector throws away ({@link Responses#releasingContext}); made once per call. */
    Context attemptContext() {
        Context context = this.attemptContext;
        if (context == null) {
            context = Responses.releasingContext(actualContext());
            this.attemptContext = context;
        }
        return context;
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
}
