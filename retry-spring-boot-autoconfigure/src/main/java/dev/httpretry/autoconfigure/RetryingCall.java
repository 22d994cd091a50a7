package dev.httpretry.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import dev.httpretry.core.Attempt;
import dev.httpretry.core.AttemptEvent;
import dev.httpretry.core.BackoffEvent;
import dev.httpretry.core.CallEvent;
import dev.httpretry.core.Category;
import dev.httpretry.core.Outcome;
import dev.httpretry.core.RetryDecision;
import dev.httpretry.core.RetryListener;
import dev.httpretry.core.RetryPolicy;
import dev.httpretry.core.StopReason;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.context.Context;

import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.client.reactive.ClientHttpResponse;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFunction;

/**
 * One logical call, as a single Reactor operator: it subscribes each attempt's exchange itself,
 * runs the attempt timeout and the waits as plain scheduler tasks, and hands the final response
 * (or error) downstream. Compared with a chain of {@code defer}, {@code timeout}, {@code flatMap},
 * {@code onErrorResume} and {@code delay}, this allocates a fraction per call (see BENCHMARKS.md).
 *
 * <p>Concurrency: attempts are strictly sequential. Within an attempt, the response, the error,
 * the timeout and the caller's cancellation race; each attempt has a state that exactly one of them
 * moves from pending to done, and only that one acts. A response that loses the race (it arrives
 * after the timeout or the cancellation) is released, never leaked.
 */
final class RetryingCall extends Operators.MonoSubscriber<ClientResponse, ClientResponse> {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    /** The decision on a success, shared: it has no state. */
    private static final RetryDecision SUCCESS = new RetryDecision.Stop(Category.SUCCESS, StopReason.NONE);

    /** Reactor Netty's connection type, when Reactor Netty is the connector (it is optional, so found by name). */
    private static final @Nullable Class<?> REACTOR_NETTY_CONNECTION = loadClass("reactor.netty.Connection");

    private static final AtomicIntegerFieldUpdater<RetryingCall> ENDED =
            AtomicIntegerFieldUpdater.newUpdater(RetryingCall.class, "ended");

    private final RetryClient client;

    private final RetryPolicy policy;

    private final ClientRequest request;

    private final ExchangeFunction next;

    private final RetryListener listener;

    private final Scheduler scheduler;

    private final String method;

    private final long startNanos;

    /** 1 once the call has ended, for the listener (completion and cancellation race). */
    private volatile int ended;

    /** The attempt in flight, or the last one. */
    private volatile @Nullable AttemptSubscriber current;

    /** The pending wait before the next attempt, if any. */
    private volatile @Nullable Disposable wait;

    private int attempts;

    private int serverErrorRetries;

    private @Nullable Duration previousDelay;

    private @Nullable Outcome lastOutcome;

    private @Nullable List<Throwable> earlierFailures;

    private RetryingCall(CoreSubscriber<? super ClientResponse> actual, RetryClient client, ClientRequest request,
            ExchangeFunction next, RetryListener listener, Scheduler scheduler) {
        super(actual);
        this.client = client;
        this.policy = client.policy();
        this.request = request;
        this.next = next;
        this.listener = listener;
        this.scheduler = scheduler;
        this.method = request.method().name();
        this.startNanos = scheduler.now(TimeUnit.NANOSECONDS);
    }

    /**
     * A call that starts when subscribed; each subscription is a call of its own.
     * @return the call as a Mono
     */
    static Mono<ClientResponse> mono(RetryClient client, ClientRequest request, ExchangeFunction next,
            RetryListener listener, java.util.function.Supplier<Scheduler> scheduler) {
        return new Mono<>() {
            @Override
            public void subscribe(CoreSubscriber<? super ClientResponse> actual) {
                RetryingCall call = new RetryingCall(actual, client, request, next, listener, scheduler.get());
                actual.onSubscribe(call);
                client.budget().recordFirstAttempt();
                call.sendAttempt();
            }
        };
    }

    // ---- downstream ----

    @Override
    public void cancel() {
        super.cancel();
        AttemptSubscriber attempt = this.current;
        if (attempt != null) {
            attempt.cancelByCaller();
        }
        Disposable pending = this.wait;
        if (pending != null) {
            pending.dispose();
        }
        end(StopReason.CANCELLED);
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

    // ---- attempts ----

    /** Sends the next attempt, unless the caller cancelled or no time is left. */
    private void sendAttempt() {
        if (isCancelled()) {
            return;
        }
        long left = timeLeftNanos();
        if (left <= 0) {
            // the wait was decided with time to spare, but the scheduler ran late: no time is left to send
            failDeadline(null);
            return;
        }
        int number = ++this.attempts;
        long timeout = this.policy.attemptTimeout().toNanos();
        AttemptSubscriber attempt = new AttemptSubscriber(number, left <= timeout);
        this.current = attempt;
        try {
            attempt.timer = this.scheduler.schedule(attempt, Math.min(left, timeout), TimeUnit.NANOSECONDS);
            this.next.exchange(this.request).doOnDiscard(Object.class, RetryingCall::discarded).subscribe(attempt);
        }
        catch (RuntimeException ex) {
            attempt.onError(ex);
        }
        if (isCancelled()) {
            attempt.cancelByCaller();
        }
    }

    private void onResponse(int number, ClientResponse response) {
        int status = response.statusCode().value();
        if (status < 400) {
            // success: nothing to decide, and nothing to allocate unless someone listens
            if (this.listener != RetryListener.NONE) {
                Outcome outcome = Outcome.response(status);
                this.lastOutcome = outcome;
                this.listener.onAttempt(new AttemptEvent(this.client.name(), this.method, number, outcome, SUCCESS));
            }
            finish(StopReason.NONE, response);
            return;
        }
        Outcome outcome = Outcome.response(status, response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER));
        RetryDecision decision = decide(number, outcome);
        if (decision instanceof RetryDecision.Retry retry) {
            Mono<Void> release = response.releaseBody().onErrorResume((error) -> Mono.empty());
            retryAfter(retry, new RetriedResponseException(number, status), release);
        }
        else {
            finish(((RetryDecision.Stop) decision).reason(), response);
        }
    }

    private void onError(int number, Throwable error, boolean timedOut, boolean cutByDeadline) {
        Throwable failure = error;
        if (timedOut) {
            if (cutByDeadline) {
                failDeadline(number);
                return;
            }
            failure = new AttemptTimeoutException(this.policy.attemptTimeout(), number);
        }
        RetryDecision decision = decide(number, Outcome.failure(failure));
        if (decision instanceof RetryDecision.Retry retry) {
            retryAfter(retry, failure, null);
        }
        else {
            fail(((RetryDecision.Stop) decision).reason(), failure);
        }
    }

    /** Decides on an attempt that did not succeed. */
    private RetryDecision decide(int number, Outcome outcome) {
        Attempt attempt = new Attempt(number, outcome, this.method, this.request.headers().containsHeader(IDEMPOTENCY_KEY),
                Duration.ofNanos(timeLeftNanos()), this.serverErrorRetries, this.previousDelay);
        RetryDecision decision = this.policy.decide(attempt, this.client.budget());
        this.lastOutcome = outcome;
        this.listener.onAttempt(new AttemptEvent(this.client.name(), this.method, number, outcome, decision));
        return decision;
    }

    /** Releases the retried response (if any), waits, then sends the next attempt. */
    private void retryAfter(RetryDecision.Retry retry, Throwable failure, @Nullable Mono<Void> release) {
        if (retry.category() == Category.SERVER_ERROR) {
            this.serverErrorRetries++;
        }
        this.previousDelay = retry.delay();
        if (this.earlierFailures == null) {
            this.earlierFailures = new ArrayList<>(this.policy.maxAttempts());
        }
        this.earlierFailures.add(failure);
        this.listener.onBackoff(new BackoffEvent(this.client.name(), this.method, this.attempts, retry.delay(), retry.source()));
        if (release == null) {
            startWait(retry.delay());
        }
        else {
            release.subscribe(null, null, () -> startWait(retry.delay()));
        }
    }

    private void startWait(Duration delay) {
        if (isCancelled()) {
            return;
        }
        try {
            this.wait = this.scheduler.schedule(this::sendAttempt, delay.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (RuntimeException rejected) {
            fail(StopReason.NOT_RETRYABLE, rejected);
            return;
        }
        if (isCancelled()) {
            Disposable pending = this.wait;
            if (pending != null) {
                pending.dispose();
            }
        }
    }

    // ---- the end ----

    private void finish(StopReason reason, ClientResponse response) {
        end(reason);
        complete(response);
    }

    /** A response the caller will never see (it cancelled) is released, so its connection goes back to the pool. */
    @Override
    protected void discard(@Nullable ClientResponse response) {
        if (response != null) {
            release(response);
        }
    }

    private void fail(StopReason reason, Throwable error) {
        end(reason);
        if (isCancelled()) {
            Operators.onErrorDropped(error, currentContext());
            return;
        }
        this.actual.onError(withEarlierFailures(error));
    }

    /**
     * The deadline passed during attempt {@code number} (or before one could be sent, when
     * {@code number} is {@code null}): fail the call with a {@link RetryDeadlineExceededException}.
     */
    private void failDeadline(@Nullable Integer number) {
        RetryDeadlineExceededException error = new RetryDeadlineExceededException(this.policy.deadline(), this.attempts,
                number != null, describe(this.lastOutcome));
        if (number != null) {
            Outcome outcome = Outcome.failure(error);
            this.lastOutcome = outcome;
            this.listener.onAttempt(new AttemptEvent(this.client.name(), this.method, number, outcome,
                    new RetryDecision.Stop(Category.RESPONSE_TIMEOUT, StopReason.DEADLINE)));
        }
        fail(StopReason.DEADLINE, error);
    }

    private void end(StopReason reason) {
        if (this.listener != RetryListener.NONE && ENDED.compareAndSet(this, 0, 1)) {
            this.listener.onCallEnd(new CallEvent(this.client.name(), this.method, this.attempts, reason, this.lastOutcome));
        }
    }

    private Throwable withEarlierFailures(Throwable error) {
        if (this.earlierFailures == null) {
            return error;
        }
        for (Throwable earlier : this.earlierFailures) {
            if (earlier != error) {
                error.addSuppressed(earlier);
            }
        }
        return error;
    }

    private long timeLeftNanos() {
        long elapsed = this.scheduler.now(TimeUnit.NANOSECONDS) - this.startNanos;
        return this.policy.deadline().toNanos() - elapsed;
    }

    private static void release(ClientResponse response) {
        response.releaseBody().subscribe(null, (error) -> { });
    }

    /**
     * A cancel (the attempt timeout, the deadline, the caller) that overtakes a response as it
     * arrives makes the connector throw the response away as a discarded value, and nobody would
     * ever read its body: Spring's Reactor connector discards its {@link ClientHttpResponse}, and
     * Reactor Netty the connection that holds it. Release them.
     */
    private static void discarded(Object value) {
        if (value instanceof ClientResponse response) {
            release(response);
        }
        else if (value instanceof ClientHttpResponse response) {
            response.getBody().subscribe(DataBufferUtils::release, (error) -> { });
        }
        else if (REACTOR_NETTY_CONNECTION != null && REACTOR_NETTY_CONNECTION.isInstance(value)) {
            ((Disposable) value).dispose();
        }
    }

    private static @Nullable Class<?> loadClass(String name) {
        try {
            return Class.forName(name, false, RetryingCall.class.getClassLoader());
        }
        catch (ClassNotFoundException | LinkageError ex) {
            return null;
        }
    }

    private static @Nullable String describe(@Nullable Outcome outcome) {
        if (outcome instanceof Outcome.Response response) {
            return "status " + response.status();
        }
        if (outcome instanceof Outcome.Failure failure) {
            return failure.error().toString();
        }
        return null;
    }

    /**
     * Subscribes to one attempt's exchange and is its timer: whichever of the response, the error,
     * the timeout and the caller's cancellation comes first wins; the others do nothing (a late
     * response is released).
     */
    private final class AttemptSubscriber implements CoreSubscriber<ClientResponse>, Runnable {

        private static final int PENDING = 0;

        private static final int DONE = 1;

        @SuppressWarnings("rawtypes")
        private static final AtomicIntegerFieldUpdater<AttemptSubscriber> STATE =
                AtomicIntegerFieldUpdater.newUpdater(AttemptSubscriber.class, "state");

        private final int number;

        private final boolean cutByDeadline;

        private volatile int state;

        private volatile @Nullable Subscription upstream;

        private volatile @Nullable Disposable timer;

        private boolean responded;

        AttemptSubscriber(int number, boolean cutByDeadline) {
            this.number = number;
            this.cutByDeadline = cutByDeadline;
        }

        @Override
        public Context currentContext() {
            return RetryingCall.this.actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription subscription) {
            this.upstream = subscription;
            if (this.state == DONE) {
                subscription.cancel();
            }
            else {
                subscription.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(ClientResponse response) {
            this.responded = true;
            if (win()) {
                RetryingCall.this.onResponse(this.number, response);
            }
            else {
                release(response);
            }
        }

        @Override
        public void onError(Throwable error) {
            // an error after the timeout or the caller's cancellation is the cancelled exchange's own: ignore it
            if (win()) {
                RetryingCall.this.onError(this.number, error, false, this.cutByDeadline);
            }
        }

        @Override
        public void onComplete() {
            if (!this.responded && win()) {
                // an exchange that ends without a response: pass the empty result on, as without retrying
                end(StopReason.NONE);
                RetryingCall.this.actual.onComplete();
            }
        }

        /** The attempt timeout. */
        @Override
        public void run() {
            if (STATE.compareAndSet(this, PENDING, DONE)) {
                cancelUpstream();
                RetryingCall.this.onError(this.number, new java.util.concurrent.TimeoutException(), true, this.cutByDeadline);
            }
        }

        void cancelByCaller() {
            if (STATE.compareAndSet(this, PENDING, DONE)) {
                cancelUpstream();
                Disposable pending = this.timer;
                if (pending != null) {
                    pending.dispose();
                }
            }
        }

        private boolean win() {
            if (STATE.compareAndSet(this, PENDING, DONE)) {
                Disposable pending = this.timer;
                if (pending != null) {
                    pending.dispose();
                }
                return true;
            }
            return false;
        }

        private void cancelUpstream() {
            Subscription subscription = this.upstream;
            if (subscription != null) {
                subscription.cancel();
            }
        }
    }
}
