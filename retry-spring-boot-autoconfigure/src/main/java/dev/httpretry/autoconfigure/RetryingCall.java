package dev.httpretry.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFunction;

/**
 * One logical call: its attempts, waits and the state the decision needs. Attempts are strictly
 * sequential, each subscribed only after the previous one ended, so the fields need no locking;
 * only the end of the call can race (completion against cancellation) and is guarded.
 */
final class RetryingCall {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final RetryClient client;

    private final RetryPolicy policy;

    private final ClientRequest request;

    private final ExchangeFunction next;

    private final RetryListener listener;

    private final Scheduler scheduler;

    private final String method;

    private static final AtomicIntegerFieldUpdater<RetryingCall> ENDED =
            AtomicIntegerFieldUpdater.newUpdater(RetryingCall.class, "ended");

    /** The decision on a success, shared: it has no state. */
    private static final RetryDecision SUCCESS = new RetryDecision.Stop(Category.SUCCESS, StopReason.NONE);

    /** 1 once the call has ended (completion and cancellation race). */
    private volatile int ended;

    /** The number of the last attempt decided on. */
    private int decidedAttempt;

    private @Nullable List<Throwable> earlierFailures;

    private long startNanos;

    private int attempts;

    private int serverErrorRetries;

    private @Nullable Duration previousDelay;

    private @Nullable Outcome lastOutcome;

    RetryingCall(RetryClient client, ClientRequest request, ExchangeFunction next, RetryListener listener,
            Scheduler scheduler) {
        this.client = client;
        this.policy = client.policy();
        this.request = request;
        this.next = next;
        this.listener = listener;
        this.scheduler = scheduler;
        this.method = request.method().name();
    }

    Mono<ClientResponse> execute() {
        this.startNanos = this.scheduler.now(TimeUnit.NANOSECONDS);
        this.client.budget().recordFirstAttempt();
        Mono<ClientResponse> call = attempt();
        return (this.listener != RetryListener.NONE) ? call.doOnCancel(() -> end(StopReason.CANCELLED)) : call;
    }

    /**
     * Sends attempt {@code attempts + 1}. Called lazily: for the first attempt at subscription (the
     * filter defers the whole call), for later ones after the wait.
     */
    private Mono<ClientResponse> attempt() {
        int number = ++this.attempts;
        long left = timeLeftNanos();
        if (left <= 0) {
            // The wait was decided with time to spare, but the scheduler ran late: no time is left to send.
            this.attempts--;
            return deadlineExceeded(null);
        }
        Duration attemptTimeout = this.policy.attemptTimeout();
        boolean cutByDeadline = left <= attemptTimeout.toNanos();
        Duration timeout = cutByDeadline ? Duration.ofNanos(left) : attemptTimeout;
        // The operators are chained so that an error from a later attempt (already decided on)
        // passes through this attempt's onErrorResume untouched: decidedAttempt tells them apart.
        // timeout(Publisher) rather than timeout(Duration): the latter builds a message per call.
        return this.next.exchange(this.request)
            .timeout(Mono.delay(timeout, this.scheduler))
            .flatMap((response) -> onResponse(number, response))
            .onErrorResume((error) -> (this.decidedAttempt < number) ? onError(number, error, cutByDeadline)
                    : Mono.error(error));
    }

    private Mono<ClientResponse> onResponse(int number, ClientResponse response) {
        this.decidedAttempt = number;
        int status = response.statusCode().value();
        if (status < 400) {
            // success: nothing to decide, and nothing to allocate unless someone listens
            if (this.listener != RetryListener.NONE) {
                Outcome outcome = Outcome.response(status);
                this.lastOutcome = outcome;
                this.listener.onAttempt(new AttemptEvent(this.client.name(), this.method, number, outcome, SUCCESS));
            }
            end(StopReason.NONE);
            return Mono.just(response);
        }
        Outcome outcome = Outcome.response(status, response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER));
        RetryDecision decision = decide(number, outcome);
        if (decision instanceof RetryDecision.Retry retry) {
            return retryAfter(retry, new RetriedResponseException(number, status),
                    response.releaseBody().onErrorResume((error) -> Mono.empty()));
        }
        return Mono.just(response);
    }

    private Mono<ClientResponse> onError(int number, Throwable error, boolean cutByDeadline) {
        this.decidedAttempt = number;
        Throwable failure = error;
        if (error.getClass() == TimeoutException.class) {
            // Reactor's timeout operator (the exchange itself wraps its errors in WebClientRequestException)
            if (cutByDeadline) {
                return deadlineExceeded(number);
            }
            failure = new AttemptTimeoutException(this.policy.attemptTimeout(), number);
        }
        RetryDecision decision = decide(number, Outcome.failure(failure));
        if (decision instanceof RetryDecision.Retry retry) {
            return retryAfter(retry, failure, Mono.empty());
        }
        return Mono.error(withEarlierFailures(failure));
    }

    /** Decides on an attempt that did not succeed, and ends the call if the decision is to stop. */
    private RetryDecision decide(int number, Outcome outcome) {
        Attempt attempt = new Attempt(number, outcome, this.method, this.request.headers().containsHeader(IDEMPOTENCY_KEY),
                Duration.ofNanos(timeLeftNanos()), this.serverErrorRetries, this.previousDelay);
        RetryDecision decision = this.policy.decide(attempt, this.client.budget());
        this.lastOutcome = outcome;
        this.listener.onAttempt(new AttemptEvent(this.client.name(), this.method, number, outcome, decision));
        if (decision instanceof RetryDecision.Stop stop) {
            end(stop.reason());
        }
        return decision;
    }

    private Mono<ClientResponse> retryAfter(RetryDecision.Retry retry, Throwable failure, Mono<Void> release) {
        if (retry.category() == Category.SERVER_ERROR) {
            this.serverErrorRetries++;
        }
        this.previousDelay = retry.delay();
        if (this.earlierFailures == null) {
            this.earlierFailures = new ArrayList<>(this.policy.maxAttempts());
        }
        this.earlierFailures.add(failure);
        this.listener.onBackoff(new BackoffEvent(this.client.name(), this.method, this.attempts, retry.delay(), retry.source()));
        return release.then(Mono.delay(retry.delay(), this.scheduler)).then(Mono.defer(this::attempt));
    }

    /**
     * The deadline passed during attempt {@code number} (or before one could be sent, when
     * {@code number} is {@code null}): fail the call with a {@link RetryDeadlineExceededException}.
     */
    private Mono<ClientResponse> deadlineExceeded(@Nullable Integer number) {
        RetryDeadlineExceededException error = new RetryDeadlineExceededException(this.policy.deadline(), this.attempts,
                number != null, describe(this.lastOutcome));
        if (number != null) {
            Outcome outcome = Outcome.failure(error);
            this.lastOutcome = outcome;
            this.listener.onAttempt(new AttemptEvent(this.client.name(), this.method, number, outcome,
                    new RetryDecision.Stop(Category.RESPONSE_TIMEOUT, StopReason.DEADLINE)));
        }
        end(StopReason.DEADLINE);
        return Mono.error(withEarlierFailures(error));
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

    private static @Nullable String describe(@Nullable Outcome outcome) {
        if (outcome instanceof Outcome.Response response) {
            return "status " + response.status();
        }
        if (outcome instanceof Outcome.Failure failure) {
            return failure.error().toString();
        }
        return null;
    }
}
