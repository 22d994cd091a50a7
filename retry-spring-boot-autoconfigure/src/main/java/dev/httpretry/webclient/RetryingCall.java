package dev.httpretry.webclient;

import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.LongSupplier;

import dev.httpretry.core.Outcome;
import dev.httpretry.core.RateLimitReset;
import dev.httpretry.core.RetryBudget;
import dev.httpretry.core.RetryClient;
import dev.httpretry.core.RetryDecision;
import dev.httpretry.core.RetryExecution;
import dev.httpretry.core.RetryListener;
import dev.httpretry.core.RetrySettings;
import io.micrometer.observation.Observation;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.context.Context;

import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientRequestObservationContext;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFunction;

/**
 * One logical call, as a single Reactor operator: the I/O half of a {@link RetryExecution}, which
 * decides. It subscribes each attempt's exchange itself, runs the attempt timeout and the waits as
 * plain scheduler tasks, releases each retried response's body ({@link BodyDrain}) and hands the
 * final response (or error) downstream.
 *
 * <p>Concurrency: attempts are strictly sequential. Within an attempt, the response, the error,
 * the timeout and the caller's cancellation race; each attempt has a state that exactly one of them
 * moves from pending to done, and only that one acts. A response that loses the race is released.
 */
final class RetryingCall extends Operators.MonoSubscriber<ClientResponse, ClientResponse> implements LongSupplier {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

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
        this.execution = client.policy().start(client.name(), request.method().name(),
                request.headers().containsHeader(IDEMPOTENCY_KEY), budget, listener, this);
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
        AttemptSubscriber attempt = this.current;
        boolean inFlight = attempt != null && attempt.cancelByCaller();
        abortWait();
        this.execution.onCancel(inFlight);
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
        if (!this.execution.startAttempt()) {
            fail();
            return;
        }
        AttemptSubscriber attempt = new AttemptSubscriber();
        this.current = attempt;
        try {
            attempt.timer = this.scheduler.schedule(attempt, this.execution.attemptTimeoutNanos(), TimeUnit.NANOSECONDS);
            ClientRequest request = attemptRequest();
            if (!this.filter.observations.isNoop()) {
                AttemptObservation.Started started = AttemptObservation.start(this.filter.observations, callObservation(),
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

    private void onResponse(ClientResponse response) {
        int status = response.statusCode().value();
        if (status < 400) {
            this.execution.onSuccess(status);
            releaseBody();
            complete(response);
            return;
        }
        checkBody();
        HttpHeaders headers = response.headers().asHttpHeaders();
        List<String> rateLimit = headers.get(RateLimitReset.RATE_LIMIT);
        Outcome outcome = Outcome.response(status, headers.getFirst(HttpHeaders.RETRY_AFTER),
                (rateLimit != null) ? String.join(", ", rateLimit) : null, headers.getFirst(RateLimitReset.RATE_LIMIT_RESET),
                headers.getFirst(RateLimitReset.X_RATE_LIMIT_RESET));
        if (this.execution.onOutcome(outcome) instanceof RetryDecision.Retry retry) {
            forgetObservedResponse();
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

    private void decided(RetryDecision decision) {
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
        Disposable timer = this.filter.waits.schedule(this.scheduler, this::sendAttempt, nanos, this::abortForShutdown);
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
        Disposable pending = this.wait;
        if (pending != null) {
            pending.dispose();
        }
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
            AttemptObservation.waiting(callObservation(), this.execution.attempts() + 1, nanos);
        }
    }

    /** The call's {@code http.client.requests} observation, when the WebClient observes its calls. */
    private @Nullable Observation callObservation() {
        return this.actual.currentContext().getOrDefault(ObservationThreadLocalAccessor.KEY, null);
    }

    /**
     * Boot's {@code http.client.requests} observation keeps the last response an attempt produced;
     * a retried one is not what the caller gets, so it is forgotten (the next attempt sets its own).
     */
    @SuppressWarnings("NullAway") // RequestReplySenderContext.setResponse takes null, but is not annotated so
    private void forgetObservedResponse() {
        Observation observation = currentContext().getOrDefault(ObservationThreadLocalAccessor.KEY, null);
        if (observation != null && observation.getContext() instanceof ClientRequestObservationContext context) {
            context.setResponse(null);
        }
    }

    /**
     * Subscribes to one attempt's exchange and is its timer: whichever of the response, the error,
     * the timeout and the caller's cancellation comes first wins; the others do nothing (a late
     * response is released).
     */
    private final class AttemptSubscriber implements CoreSubscriber<ClientResponse>, Runnable {

        @SuppressWarnings("rawtypes")
        private static final AtomicIntegerFieldUpdater<AttemptSubscriber> DONE =
                AtomicIntegerFieldUpdater.newUpdater(AttemptSubscriber.class, "done");

        private volatile int done;

        private volatile @Nullable Subscription upstream;

        private volatile @Nullable Disposable timer;

        /** The attempt's own observation, when calls are observed. */
        @Nullable AttemptObservation observation;

        private boolean responded;

        /**
         * The caller's context, plus a discard hook: a response (or connection) the connector throws
         * away when a cancel overtakes it is released ({@link Responses#releaseDiscarded}). Cheaper
         * than a {@code doOnDiscard} operator per attempt.
         */
        @Override
        public Context currentContext() {
            Context context = RetryingCall.this.attemptContext;
            if (context == null) {
                context = Operators.enableOnDiscard(RetryingCall.this.actual.currentContext(), Responses::releaseDiscarded);
                RetryingCall.this.attemptContext = context;
            }
            return context;
        }

        @Override
        public void onSubscribe(Subscription subscription) {
            this.upstream = subscription;
            if (this.done != 0) {
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
                if (this.observation != null) {
                    this.observation.stop(response);
                }
                onResponse(response);
            }
            else {
                Responses.release(response);
            }
        }

        @Override
        public void onError(Throwable error) {
            // an error after the timeout or the caller's cancellation is the cancelled exchange's own: ignore it
            if (win()) {
                if (this.observation != null) {
                    this.observation.stop(error);
                }
                checkBody();
                decided(RetryingCall.this.execution.onOutcome(Outcome.failure(error)));
            }
        }

        @Override
        public void onComplete() {
            if (!this.responded && win()) {
                // an exchange that ends without a response: pass the empty result on, as without retrying
                RetryingCall.this.execution.onEmpty();
                releaseBody();
                RetryingCall.this.actual.onComplete();
            }
        }

        /** The attempt timeout. */
        @Override
        public void run() {
            if (DONE.compareAndSet(this, 0, 1)) {
                cancelUpstream();
                if (this.observation != null) {
                    this.observation.stop(new java.util.concurrent.TimeoutException("No response within the attempt's timeout"));
                }
                checkBody();
                decided(RetryingCall.this.execution.onAttemptTimeout());
            }
        }

        /** The caller cancelled: returns whether the attempt was still in flight. */
        boolean cancelByCaller() {
            if (DONE.compareAndSet(this, 0, 1)) {
                cancelUpstream();
                disposeTimer();
                if (this.observation != null) {
                    this.observation.stop(new java.util.concurrent.CancellationException("The caller cancelled the call"));
                }
                return true;
            }
            return false;
        }

        private boolean win() {
            if (DONE.compareAndSet(this, 0, 1)) {
                disposeTimer();
                return true;
            }
            return false;
        }

        private void disposeTimer() {
            Disposable pending = this.timer;
            if (pending != null) {
                pending.dispose();
            }
        }

        private void cancelUpstream() {
            Subscription subscription = this.upstream;
            if (subscription != null) {
                subscription.cancel();
            }
        }
    }
}
