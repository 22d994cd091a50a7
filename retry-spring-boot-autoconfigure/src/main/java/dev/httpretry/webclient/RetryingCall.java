package dev.httpretry.webclient;

import java.net.URI;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import dev.httpretry.core.Category;
import dev.httpretry.core.DelaySource;
import dev.httpretry.core.Outcome;
import dev.httpretry.core.RetryBudget;
import dev.httpretry.core.RetryClient;
import dev.httpretry.core.RetryDecision;
import dev.httpretry.core.RetryExecution;
import dev.httpretry.core.RetryListener;
import dev.httpretry.core.RetrySettings;
import dev.httpretry.core.StopReason;
import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.context.Context;

import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFunction;

/**
 * One logical call, as a single Reactor operator: the I/O half of a {@link RetryExecution}, which
 * decides. It subscribes each attempt's exchange itself, runs the attempt timeout and the waits as
 * plain scheduler tasks, releases each retried response's body ({@link BodyDrain}) and hands the
 * final response (or error) downstream.
 *
 * <p>Concurrency: without hedging, attempts are strictly sequential. Within an attempt, the
 * response, the error, the timeout and the caller's cancellation race ({@link AttemptSubscriber}):
 * exactly one of them acts, and a response that loses is released. A hedged call sends another copy
 * when the last one has not answered within {@code hedging.delay}; its copies answer on different
 * threads, so each of its events is decided under a lock, and the copies that lose are cancelled.
 */
final class RetryingCall extends Operators.MonoSubscriber<ClientResponse, ClientResponse> implements LongSupplier {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    /** How a call that ended without a response ended. */
    private static final RetryDecision EMPTY = new RetryDecision.Stop(Category.SUCCESS, StopReason.NONE);

    private final ClientRequest request;

    private final ExchangeFunction next;

    private final Scheduler scheduler;

    /** The filter: its pending waits and its observation registry, held in one field. */
    private final RetryExchangeFilterFunction filter;

    private final RetryExecution execution;

    /** The request's body, kept to send again; {@code null} for a request without a body. */
    private final @Nullable ReplayableBody body;

    /** The attempt in flight, or the last one. */
    private volatile @Nullable AttemptSubscriber current;

    /** The caller's context with a discard hook that releases what the connector throws away; made once per call. */
    private @Nullable Context attemptContext;

    /** What the call waits on before its next attempt (a body being drained, a timer), if anything. */
    private volatile @Nullable Disposable wait;

    /** How long the last copy goes unanswered before a hedge; {@code -1} when the call is not hedged. */
    private final long hedgeDelayNanos;

    /** Orders a hedged call's events, which its copies report from different threads; {@code null} when not hedged. */
    private final @Nullable ReentrantLock lock;

    /** The timer of the next hedge, once armed. */
    private volatile @Nullable Disposable hedgeTimer;

    private RetryingCall(CoreSubscriber<? super ClientResponse> actual, RetryClient client, ClientRequest request,
            ExchangeFunction next, RetryListener listener, Scheduler scheduler, RetryExchangeFilterFunction filter) {
        super(actual);
        this.filter = filter;
        this.request = request;
        this.next = next;
        this.scheduler = scheduler;
        RetrySettings settings = client.policy().settings();
        this.body = (request.body() == BodyInserters.empty()) ? null : ReplayableBody.of(request, settings.bodyReplayLimit());
        URI url = request.url();
        RetryBudget budget = client.budgets().forDestination(String.valueOf(url.getScheme()), String.valueOf(url.getHost()),
                url.getPort());
        // the key changes no decision for a method in methods, so it is looked up (which lower-cases its name) only otherwise
        String method = request.method().name();
        boolean keyed = !settings.methods().contains(method) && request.headers().containsHeader(IDEMPOTENCY_KEY);
        this.execution = client.policy().start(client.name(), method, keyed, budget, listener, this);
        this.hedgeDelayNanos = this.execution.hedgeDelayNanos();
        this.lock = (this.hedgeDelayNanos >= 0) ? new ReentrantLock() : null;
    }

    /** A call that starts when subscribed; each subscription is a call of its own. */
    static Mono<ClientResponse> mono(RetryClient client, ClientRequest request, ExchangeFunction next,
            RetryListener listener, java.util.function.Supplier<Scheduler> scheduler, RetryExchangeFilterFunction filter) {
        return new Mono<>() {
            @Override
            public void subscribe(CoreSubscriber<? super ClientResponse> actual) {
                RetryingCall call = new RetryingCall(actual, client, request, next, listener, scheduler.get(), filter);
                actual.onSubscribe(call);
                call.sendAttempt();
            }
        };
    }

    /** The scheduler's clock measures the deadline, so virtual-time tests stay exact. */
    @Override
    public long getAsLong() {
        return this.scheduler.now(TimeUnit.NANOSECONDS);
    }

    @Override
    public void cancel() {
        super.cancel();
        lock();
        try {
            boolean inFlight = false;
            for (AttemptSubscriber copy = this.current; copy != null; copy = copy.previous) {
                inFlight |= copy.cancelByCaller();
            }
            dispose(this.hedgeTimer);
            abortWait();
            this.execution.onCancel(inFlight);
        }
        finally {
            unlock();
        }
        releaseBody();
    }

    @Override
    public Context currentContext() {
        return this.actual.currentContext();
    }

    @Override
    public void onNext(ClientResponse response) {
        // attempts are subscribed with their own subscribers, never with this one
        throw new IllegalStateException("RetryingCall is not subscribed to a source");
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
            send(null);
        }
        finally {
            unlock();
        }
    }

    /** The hedge armed when {@code last} was sent is due: send another copy, if the execution allows one. */
    private void hedge(AttemptSubscriber last) {
        lock();
        try {
            // a body still being recorded by the first copy is not hedged (the copies would race over its recording);
            // a timer that fired as the round ended finds no copy in flight
            if (!isCancelled() && this.current == last && anyCopyInFlight() && (this.body == null || this.body.recorded())
                    && this.execution.startHedge()) {
                send(last);
            }
        }
        finally {
            unlock();
        }
    }

    private boolean anyCopyInFlight() {
        for (AttemptSubscriber copy = this.current; copy != null; copy = copy.previous) {
            if (copy.pending()) {
                return true;
            }
        }
        return false;
    }

    /** Sends the attempt just started; {@code previous} is the copy before it when it is a hedge. */
    private void send(@Nullable AttemptSubscriber previous) {
        AttemptSubscriber attempt = new AttemptSubscriber(this, this.execution.attempts(), this.execution.attemptCutByDeadline(),
                previous);
        this.current = attempt;
        try {
            attempt.timer = this.scheduler.schedule(attempt, this.execution.attemptTimeoutNanos(), TimeUnit.NANOSECONDS);
            if (this.hedgeDelayNanos >= 0) {
                this.hedgeTimer = this.scheduler.schedule(() -> hedge(attempt), this.hedgeDelayNanos, TimeUnit.NANOSECONDS);
            }
            ClientRequest request = attemptRequest();
            if (!this.filter.observations.isNoop()) {
                AttemptObservation.Started started = AttemptObservation.start(this.filter.observations, AttemptObservation.call(this.actual.currentContext()),
                        this.execution.client(), this.execution.attempts(), request);
                attempt.observation = started.observation();
                request = started.request();
            }
            this.next.exchange(request).subscribe(attempt);
        }
        catch (RuntimeException ex) {
            attempt.onError(ex);
        }
        if (isCancelled()) {
            attempt.cancelByCaller();
        }
    }

    /** Every attempt sends the same body; those after the first carry their number when {@code attempt-header} is set. */
    private ClientRequest attemptRequest() {
        ClientRequest attempt = (this.body != null) ? this.body.request() : this.request;
        int number = this.execution.attempts();
        String header = (number > 1) ? this.execution.settings().attemptHeader() : "";
        if (!header.isEmpty()) {
            return ClientRequest.from(attempt).headers((headers) -> headers.set(header, String.valueOf(number))).build();
        }
        return attempt;
    }

    void onResponse(AttemptSubscriber copy, ClientResponse response) {
        int status = response.statusCode().value();
        RetryDecision decision;
        lock();
        try {
            if (endedWhileHedged()) {
                Responses.release(response);
                return;
            }
            if (status < 400) {
                decision = this.execution.onSuccess(copy.number, status);
            }
            else {
                checkBody();
                decision = this.execution.onOutcome(copy.number, Responses.outcome(status, response));
            }
            settled(copy, decision);
        }
        finally {
            unlock();
        }
        if (isOtherCopiesGoOn(decision)) {
            AttemptObservation.forgetResponse(this.actual.currentContext());
            BodyDrain drain = new BodyDrain(this.scheduler, Math.min(BodyDrain.MAX_NANOS, this.execution.timeLeftNanos()), () -> {
            });
            copy.drain = drain;
            drain.drain(response);
        }
        else if (decision instanceof RetryDecision.Retry retry) {
            AttemptObservation.forgetResponse(this.actual.currentContext());
            observeWait(retry.delay().toNanos());
            long waitEnd = getAsLong() + retry.delay().toNanos();
            BodyDrain drain = new BodyDrain(this.scheduler, Math.min(BodyDrain.MAX_NANOS, this.execution.timeLeftNanos()),
                    () -> startWait(Math.max(0, waitEnd - getAsLong())));
            this.wait = drain;
            drain.drain(response);
            if (isCancelled()) {
                drain.dispose();
            }
        }
        else {
            if (this.lock != null) {
                AttemptObservation.keepResponse(this.actual.currentContext(), response);
            }
            releaseBody();
            complete(response);
        }
    }

    /** A body that cannot be sent again as it was makes a retry unsafe once the request may have reached the server. */
    private void checkBody() {
        if (this.body != null) {
            this.body.attemptEnded();
            if (!this.body.replayable()) {
                this.execution.bodyNotReplayable();
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
        return this.lock != null && this.execution.ended();
    }

    /** The copy failed while other copies of the hedged call are in flight: they go on. */
    private static boolean isOtherCopiesGoOn(RetryDecision decision) {
        return decision instanceof RetryDecision.Retry retry && retry.source() == DelaySource.HEDGE;
    }

    /** A hedged call's round is over (it ends, or waits before the next attempt): no more hedges, and the other copies lose. */
    private void settled(AttemptSubscriber copy, RetryDecision decision) {
        if (this.lock == null || isOtherCopiesGoOn(decision)) {
            return;
        }
        dispose(this.hedgeTimer);
        // the deadline cuts every copy: each is reported with the deadline's error, as the execution reported it
        Throwable why = (decision instanceof RetryDecision.Stop stop && stop.reason() == StopReason.DEADLINE
                && this.execution.lastOutcome() instanceof Outcome.Failure failure) ? failure.error() : null;
        for (AttemptSubscriber other = this.current; other != null; other = other.previous) {
            if (other != copy) {
                other.lose(why);
            }
        }
    }

    private void lock() {
        if (this.lock != null) {
            this.lock.lock();
        }
    }

    private void unlock() {
        if (this.lock != null) {
            this.lock.unlock();
        }
    }

    private static void dispose(@Nullable Disposable disposable) {
        if (disposable != null) {
            disposable.dispose();
        }
    }

    private void decided(RetryDecision decision) {
        if (isOtherCopiesGoOn(decision)) {
            return;
        }
        if (decision instanceof RetryDecision.Retry retry) {
            observeWait(retry.delay().toNanos());
            startWait(retry.delay().toNanos());
        }
        else {
            fail();
        }
    }

    private void startWait(long nanos) {
        if (isCancelled()) {
            return;
        }
        Disposable timer = PendingWaits.schedule(this.filter.waits, this.scheduler, this::sendAttempt, nanos, this::abortForShutdown);
        if (timer == null) {
            return;
        }
        this.wait = timer;
        if (isCancelled()) {
            timer.dispose();
        }
    }

    private void abortForShutdown(Throwable reason) {
        this.execution.onShutdown(reason);
        fail();
    }

    private void abortWait() {
        dispose(this.wait);
    }

    /** A response the caller will never see (it cancelled) is released, so its connection goes back to the pool. */
    @Override
    protected void discard(@Nullable ClientResponse response) {
        if (response != null) {
            Responses.release(response);
        }
    }

    private void fail() {
        releaseBody();
        Throwable error = this.execution.failure();
        if (isCancelled()) {
            Operators.onErrorDropped(error, currentContext());
            return;
        }
        this.actual.onError(error);
    }

    private void observeWait(long nanos) {
        if (!this.filter.observations.isNoop()) {
            AttemptObservation.waiting(AttemptObservation.call(this.actual.currentContext()), this.execution.attempts() + 1, nanos);
        }
    }

    /**
     * The caller's context, plus a discard hook and a dropped-value hook: a response (or connection)
     * the connector throws away when a cancel overtakes it is released ({@link Responses#releaseDiscarded}).
     * Reactor Netty discards such a connection when the exchange was cancelled, but drops it (Reactor's
     * {@code onNextDropped}) when its connect sink had already ended; both are released. Made once
     * per call; cheaper than a {@code doOnDiscard} operator per attempt.
     */
    Context attemptContext() {
        Context context = this.attemptContext;
        if (context == null) {
            context = Operators.enableOnDiscard(this.actual.currentContext(), Responses::releaseDiscarded)
                .put(Responses.ON_NEXT_DROPPED_LOCAL, (Consumer<Object>) Responses::releaseDropped);
            this.attemptContext = context;
        }
        return context;
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
            if (failure != null) {
                decision = this.execution.onOutcome(copy.number, failure);
            }
            else {
                decision = this.execution.onAttemptTimeout(copy.number, copy.cutByDeadline);
                if (this.execution.lastOutcome() instanceof Outcome.Failure timedOut) {
                    copy.stopObservation(timedOut.error());
                }
            }
            settled(copy, decision);
        }
        finally {
            unlock();
        }
        decided(decision);
    }

    /** The exchange ended without a response: the empty result goes on, as without retrying. */
    void onAttemptEmpty(AttemptSubscriber copy) {
        lock();
        try {
            if (endedWhileHedged()) {
                return;
            }
            this.execution.onEmpty();
            settled(copy, EMPTY);
        }
        finally {
            unlock();
        }
        releaseBody();
        this.actual.onComplete();
    }
}
