package dev.httpretry.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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

    private final boolean idempotencyKey;

    private final AtomicBoolean ended = new AtomicBoolean();

    private final List<Throwable> earlierFailures = new ArrayList<>();

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
        HttpHeaders headers = request.headers();
        this.idempotencyKey = headers.containsHeader(IDEMPOTENCY_KEY);
    }

    Mono<ClientResponse> execute() {
        this.startNanos = this.scheduler.now(TimeUnit.NANOSECONDS);
        this.client.budget().recordFirstAttempt();
        return attempt().doOnCancel(() -> end(StopReason.CANCELLED));
    }

    private Mono<ClientResponse> attempt() {
        int number = ++this.attempts;
        long left = timeLeftNanos();
        if (left <= 0) {
            // The wait was decided with time to spare, but the scheduler ran late: no time is left to send.
            this.attempts--;
            return deadlineExceeded(null);
        }
        long attemptTimeout = this.policy.attemptTimeout().toNanos();
        boolean cutByDeadline = left <= attemptTimeout;
        Duration timeout = Duration.ofNanos(Math.min(left, attemptTimeout));
        Mono<ClientResponse> onTimeout = Mono.error(() -> cutByDeadline ? new DeadlinePassed()
                : new AttemptTimeoutException(this.policy.attemptTimeout(), number));
        return Mono.defer(() -> this.next.exchange(this.request))
            .timeout(timeout, onTimeout, this.scheduler)
            .map(AttemptResult::response)
            .onErrorResume((error) -> Mono.just(AttemptResult.failure(error)))
            .flatMap((result) -> decide(number, result));
    }

    private Mono<ClientResponse> decide(int number, AttemptResult result) {
        if (result.error() instanceof DeadlinePassed) {
            return deadlineExceeded(number);
        }
        Outcome outcome = result.outcome();
        Attempt attempt = new Attempt(number, outcome, this.method, this.idempotencyKey,
                Duration.ofNanos(timeLeftNanos()), this.serverErrorRetries, this.previousDelay);
        RetryDecision decision = this.policy.decide(attempt, this.client.budget());
        this.lastOutcome = outcome;
        this.listener.onAttempt(new AttemptEvent(this.client.name(), this.method, number, outcome, decision));
        if (decision instanceof RetryDecision.Stop stop) {
            end(stop.reason());
            return (result.response() != null) ? Mono.just(result.response()) : Mono.error(withEarlierFailures(result.error()));
        }
        RetryDecision.Retry retry = (RetryDecision.Retry) decision;
        if (retry.category() == Category.SERVER_ERROR) {
            this.serverErrorRetries++;
        }
        this.previousDelay = retry.delay();
        this.earlierFailures.add(result.response() != null
                ? new RetriedResponseException(number, result.response().statusCode().value()) : result.error());
        this.listener.onBackoff(new BackoffEvent(this.client.name(), this.method, number, retry.delay(), retry.source()));
        Mono<Void> release = (result.response() != null)
                ? result.response().releaseBody().onErrorResume((error) -> Mono.empty()) : Mono.empty();
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
        if (this.ended.compareAndSet(false, true)) {
            this.listener.onCallEnd(new CallEvent(this.client.name(), this.method, this.attempts, reason, this.lastOutcome));
        }
    }

    private Throwable withEarlierFailures(Throwable error) {
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

    /** What an attempt produced: exactly one of a response and an error. */
    private record AttemptResult(@Nullable ClientResponse response, @Nullable Throwable error) {

        static AttemptResult response(ClientResponse response) {
            return new AttemptResult(response, null);
        }

        static AttemptResult failure(Throwable error) {
            return new AttemptResult(null, error);
        }

        Outcome outcome() {
            if (this.response != null) {
                return Outcome.response(this.response.statusCode().value(),
                        this.response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER));
            }
            return Outcome.failure(this.error);
        }
    }

    /** Signals, inside the call only, that the attempt timeout was the deadline. */
    private static final class DeadlinePassed extends RuntimeException {

        private static final long serialVersionUID = 1L;

        DeadlinePassed() {
            super("deadline", null, false, false);
        }
    }
}
