package dev.httpretry.core;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** One call's execution: its counts, deadline, earlier failures, budget and events, on a clock the test moves. */
class RetryExecutionTests {

    private final AtomicLong now = new AtomicLong(1_000);

    private final RecordingListener events = new RecordingListener();

    private final CountingBudget budget = new CountingBudget(true);

    private final RetryPolicy policy = RetryPolicy.builder().initialDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(1))
        .jitter(Jitter.NONE).attemptTimeout(Duration.ofSeconds(2)).deadline(Duration.ofSeconds(5)).maxAttempts(4).build();

    private RetryExecution start(String method) {
        return this.policy.start("payments", method, false, this.budget, this.events, this.now::get);
    }

    @Test
    void aSuccessOnTheFirstAttemptIsOneAttemptAndOneCallEnd() {
        RetryExecution call = start("GET");
        assertThat(this.budget.firstAttempts).isOne();
        assertThat(call.startAttempt()).isTrue();
        assertThat(call.attemptTimeoutNanos()).isEqualTo(Duration.ofSeconds(2).toNanos());

        RetryDecision decision = call.onSuccess(200);

        assertThat(decision).isEqualTo(new RetryDecision.Stop(Category.SUCCESS, StopReason.NONE));
        assertThat(this.events.attempts).extracting(AttemptEvent::attempt).containsExactly(1);
        assertThat(this.events.calls).singleElement().satisfies((end) -> {
            assertThat(end.reason()).isEqualTo(StopReason.NONE);
            assertThat(end.attempts()).isOne();
            assertThat(end.lastOutcome()).isEqualTo(Outcome.response(200));
        });
        assertThat(call.ended()).isTrue();
    }

    @Test
    void retriesCountAttemptsWaitsAndA500OnceAndCarryTheEarlierFailures() {
        RetryExecution call = start("GET");
        call.startAttempt();
        assertThat(call.onOutcome(Outcome.response(500))).isEqualTo(new RetryDecision.Retry(Category.SERVER_ERROR,
                Duration.ofMillis(100), DelaySource.BACKOFF));
        this.now.addAndGet(Duration.ofMillis(100).toNanos());
        call.startAttempt();
        IOException reset = new java.net.SocketException("Connection reset");
        assertThat(call.onOutcome(Outcome.failure(reset))).isInstanceOf(RetryDecision.Retry.class);
        call.startAttempt();
        // a second 500 is not retried: server-error-retries is 1
        assertThat(call.onOutcome(Outcome.response(500))).isEqualTo(new RetryDecision.Stop(Category.SERVER_ERROR, StopReason.EXHAUSTED));

        assertThat(this.events.backoffs).extracting(BackoffEvent::delay).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(this.events.calls).singleElement().satisfies((end) -> {
            assertThat(end.reason()).isEqualTo(StopReason.EXHAUSTED);
            assertThat(end.attempts()).isEqualTo(3);
        });
        assertThat(this.budget.acquireCalls).isEqualTo(2);
    }

    @Test
    void theExceptionThatEndsACallCarriesTheEarlierFailuresOnce() {
        RetryExecution call = start("GET");
        call.startAttempt();
        call.onOutcome(Outcome.response(503));
        call.startAttempt();
        ConnectException refused = new ConnectException("refused");
        call.onOutcome(Outcome.failure(refused));
        call.startAttempt();
        call.onOutcome(Outcome.failure(new ConnectException("refused again")));
        call.startAttempt();
        ConnectException last = new ConnectException("refused at last");
        assertThat(call.onOutcome(Outcome.failure(last))).isEqualTo(new RetryDecision.Stop(Category.CONNECTION_REFUSED, StopReason.EXHAUSTED));

        Throwable failure = call.failure();
        assertThat(failure).isSameAs(last);
        assertThat(failure.getSuppressed()).hasSize(3);
        assertThat(failure.getSuppressed()[0]).isInstanceOf(RetriedResponseException.class).hasMessageContaining("status 503");
        assertThat(failure.getSuppressed()[1]).isSameAs(refused);
        assertThat(call.failure().getSuppressed()).hasSize(3);
    }

    @Test
    void anAttemptCutByTheDeadlineEndsTheCallWithTheDeadline() {
        RetryExecution call = start("GET");
        call.startAttempt();
        call.onOutcome(Outcome.response(503));
        this.now.addAndGet(Duration.ofMillis(3_500).toNanos());
        call.startAttempt();
        // 1.5 s left, less than the 2 s attempt timeout
        assertThat(call.attemptTimeoutNanos()).isEqualTo(Duration.ofMillis(1_500).toNanos());

        assertThat(call.onAttemptTimeout()).isEqualTo(new RetryDecision.Stop(Category.RESPONSE_TIMEOUT, StopReason.DEADLINE));

        assertThat(call.failure()).isInstanceOf(RetryDeadlineExceededException.class)
            .hasMessage("Deadline of 5s exceeded after 2 attempts; attempt 2 was cancelled, the one before failed with status 503");
        assertThat(this.events.calls).singleElement().extracting(CallEvent::reason).isEqualTo(StopReason.DEADLINE);
    }

    @Test
    void anAttemptThatTimesOutOnItsOwnIsRetried() {
        RetryExecution call = start("GET");
        call.startAttempt();
        RetryDecision decision = call.onAttemptTimeout();
        assertThat(decision).isInstanceOf(RetryDecision.Retry.class);
        assertThat(this.events.attempts).singleElement().satisfies((attempt) -> assertThat(attempt.error())
            .isInstanceOf(AttemptTimeoutException.class).hasMessage("No response within attempt-timeout of 2s (attempt 1)"));
    }

    @Test
    void noTimeLeftWhenTheNextAttemptIsDueEndsTheCallWithTheDeadline() {
        RetryExecution call = start("GET");
        call.startAttempt();
        call.onOutcome(Outcome.response(503));
        this.now.addAndGet(Duration.ofSeconds(6).toNanos());

        assertThat(call.startAttempt()).isFalse();

        assertThat(call.attempts()).isOne();
        assertThat(call.failure()).isInstanceOf(RetryDeadlineExceededException.class)
            .hasMessage("Deadline of 5s exceeded after 1 attempt; the last failed with status 503");
        assertThat(this.events.calls).singleElement().satisfies((end) -> {
            assertThat(end.reason()).isEqualTo(StopReason.DEADLINE);
            // the call's end tells what the caller got: the deadline's exception, not the 503
            assertThat(end.lastOutcome()).isInstanceOfSatisfying(Outcome.Failure.class,
                    (failure) -> assertThat(failure.error()).isInstanceOf(RetryDeadlineExceededException.class));
        });
    }

    @Test
    void aCancelledAttemptInFlightIsCountedAndTheCallEndsOnce() {
        RetryExecution call = start("GET");
        call.startAttempt();

        call.onCancel(true);
        call.onCancel(true);

        assertThat(this.events.attempts).singleElement().satisfies((attempt) -> {
            assertThat(attempt.error()).isInstanceOf(CancellationException.class);
            assertThat(attempt.retried()).isFalse();
            assertThat(attempt.decision()).isEqualTo(new RetryDecision.Stop(Category.UNKNOWN_ERROR, StopReason.CANCELLED));
        });
        assertThat(this.events.calls).singleElement().extracting(CallEvent::reason).isEqualTo(StopReason.CANCELLED);
    }

    @Test
    void aCancelDuringAWaitCountsNoAttempt() {
        RetryExecution call = start("GET");
        call.startAttempt();
        call.onOutcome(Outcome.response(503));

        call.onCancel(false);

        assertThat(this.events.attempts).hasSize(1);
        assertThat(this.events.calls).singleElement().extracting(CallEvent::reason).isEqualTo(StopReason.CANCELLED);
    }

    @Test
    void aCancelAfterTheEndChangesNothing() {
        RetryExecution call = start("GET");
        call.startAttempt();
        call.onSuccess(204);

        call.onCancel(true);

        assertThat(this.events.attempts).hasSize(1);
        assertThat(this.events.calls).singleElement().extracting(CallEvent::reason).isEqualTo(StopReason.NONE);
    }

    @Test
    void aRefusedWaitStopsWithShutdownAndThatError() {
        RetryExecution call = start("GET");
        call.startAttempt();
        ConnectException refused = new ConnectException("refused");
        call.onOutcome(Outcome.failure(refused));
        RejectedExecutionException rejected = new RejectedExecutionException("scheduler terminated");

        assertThat(call.onShutdown(rejected)).isEqualTo(new RetryDecision.Stop(Category.UNKNOWN_ERROR, StopReason.SHUTDOWN));

        assertThat(call.failure()).isSameAs(rejected);
        assertThat(rejected.getSuppressed()).containsExactly(refused);
        assertThat(this.events.calls).singleElement().extracting(CallEvent::reason).isEqualTo(StopReason.SHUTDOWN);
    }

    @Test
    void aRetriedResponseCutByShutdownEndsWithTheShutdownErrorAsTheCallersOutcome() {
        RetryExecution call = start("GET");
        call.startAttempt();
        call.onOutcome(Outcome.response(503));
        IllegalStateException stopped = new IllegalStateException("shutting down");

        call.onShutdown(stopped);

        assertThat(call.failure()).isSameAs(stopped);
        assertThat(this.events.calls).singleElement().satisfies((end) -> {
            assertThat(end.reason()).isEqualTo(StopReason.SHUTDOWN);
            assertThat(end.lastOutcome()).isEqualTo(Outcome.failure(stopped));
        });
    }

    @Test
    void aCallThatEndedOnAResponseHasNoFailure() {
        RetryExecution call = start("GET");
        call.startAttempt();
        call.onOutcome(Outcome.response(404));
        assertThatIllegalStateException().isThrownBy(call::failure);
    }

    @Test
    void withoutAListenerASuccessTellsNobody() {
        RetryExecution call = this.policy.start("payments", "GET", false, this.budget, RetryListener.NONE, this.now::get);
        call.startAttempt();
        assertThat(call.onSuccess(200)).isEqualTo(new RetryDecision.Stop(Category.SUCCESS, StopReason.NONE));
        assertThat(call.ended()).isTrue();
    }

    @Test
    void anEmptyExchangeEndsTheCallAsASuccessWithoutAnAttemptEvent() {
        RetryExecution call = start("GET");
        call.startAttempt();
        call.onEmpty();
        assertThat(this.events.attempts).isEmpty();
        assertThat(this.events.calls).singleElement().extracting(CallEvent::reason).isEqualTo(StopReason.NONE);
    }

    @Test
    void anUnsafeMethodIsNotRetriedOnceItMayHaveReachedTheServer() {
        RetryExecution call = start("POST");
        call.startAttempt();
        assertThat(call.onOutcome(Outcome.response(503))).isEqualTo(new RetryDecision.Stop(Category.UNAVAILABLE, StopReason.UNSAFE_METHOD));
        RetryExecution keyed = this.policy.start("payments", "POST", true, this.budget, this.events, this.now::get);
        keyed.startAttempt();
        assertThat(keyed.onOutcome(Outcome.response(503))).isInstanceOf(RetryDecision.Retry.class);
    }
}
