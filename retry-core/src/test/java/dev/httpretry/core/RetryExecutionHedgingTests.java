package dev.httpretry.core;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** What the execution decides for the copies of a hedged call, on a clock the test moves. */
class RetryExecutionHedgingTests {

    private final AtomicLong now = new AtomicLong(1_000);

    private final RecordingListener events = new RecordingListener();

    private final CountingBudget budget = new CountingBudget(true);

    private final RetryPolicyBuilder policy = RetryPolicy.builder().initialDelay(Duration.ofMillis(100))
        .maxDelay(Duration.ofSeconds(1)).jitter(Jitter.NONE).attemptTimeout(Duration.ofSeconds(2))
        .deadline(Duration.ofSeconds(5)).maxAttempts(4).hedgingEnabled(true).hedgingDelay(Duration.ofMillis(50)).maxHedges(2);

    private RetryExecution start(RetryPolicyBuilder builder, String method, boolean key, RetryBudget budget) {
        return builder.build().start("search", method, key, budget, this.events, this.now::get);
    }

    private RetryExecution start() {
        RetryExecution call = start(this.policy, "GET", false, this.budget);
        call.startAttempt();
        return call;
    }

    @ParameterizedTest(name = "{0} key={1} enabled={2} max-attempts={3} max-hedges={4} -> {5}")
    @CsvSource({ "GET, false, true, 4, 1, 50", "PUT, false, true, 4, 1, 50", "get, false, true, 4, 1, 50",
            "POST, false, true, 4, 1, -1", "POST, true, true, 4, 1, 50", "GET, false, false, 4, 1, -1",
            "GET, false, true, 1, 1, -1", "GET, false, true, 4, 0, -1" })
    void onlyRequestsThatMayBeSentAgainAreHedged(String method, boolean key, boolean enabled, int maxAttempts, int maxHedges,
            long delayMillis) {
        RetryExecution call = start(this.policy.hedgingEnabled(enabled).maxAttempts(maxAttempts).maxHedges(maxHedges), method, key,
                this.budget);
        long expected = (delayMillis < 0) ? -1 : Duration.ofMillis(delayMillis).toNanos();
        assertThat(call.hedgeDelayNanos()).isEqualTo(expected);
        call.startAttempt();
        assertThat(call.startHedge()).isEqualTo(delayMillis >= 0);
    }

    @Test
    void eachHedgeIsAnAttemptDrawnFromTheBudgetUpToMaxHedges() {
        RetryExecution call = start();
        assertThat(call.startHedge()).isTrue();
        assertThat(call.attempts()).isEqualTo(2);
        assertThat(call.startHedge()).isTrue();
        assertThat(call.attempts()).isEqualTo(3);
        assertThat(call.startHedge()).as("max-hedges is 2").isFalse();
        assertThat(this.budget.acquireCalls).isEqualTo(2);

        call.onResponse(3, 200, HeaderLookup.NONE);
        assertThat(this.events.hedges).extracting(HedgeEvent::attempt, HedgeEvent::outcome)
            .containsExactly(tuple(2, HedgeEvent.Outcome.LOST), tuple(3, HedgeEvent.Outcome.WON));
        assertThat(this.events.attempts).extracting(AttemptEvent::attempt).containsExactly(3, 1, 2);
        assertThat(this.events.attempts.subList(1, 3)).allSatisfy((lost) -> {
            assertThat(lost.error()).isInstanceOf(CancellationException.class).hasMessage("Attempt 3 answered first");
            assertThat(((RetryDecision.Stop) lost.decision()).reason()).isEqualTo(StopReason.CANCELLED);
        });
        assertThat(this.events.calls).singleElement().satisfies((end) -> {
            assertThat(end.reason()).isEqualTo(StopReason.NONE);
            assertThat(end.attempts()).isEqualTo(3);
        });
    }

    @Test
    void aHedgeTheBudgetRefusesIsNotSentNorIsAnyAfterIt() {
        RetryExecution call = start(this.policy, "GET", false, new CountingBudget(false));
        call.startAttempt();
        assertThat(call.startHedge()).isFalse();
        assertThat(call.startHedge()).isFalse();
        assertThat(call.attempts()).isOne();
        assertThat(this.events.hedges).extracting(HedgeEvent::attempt, HedgeEvent::outcome)
            .containsExactly(tuple(2, HedgeEvent.Outcome.REFUSED));
        call.onResponse(1, 200, HeaderLookup.NONE);
        assertThat(this.events.hedges).hasSize(1);
    }

    @Test
    void noHedgeBeyondMaxAttemptsOrTheDeadlineOrOnceEnded() {
        RetryExecution call = start(this.policy.maxAttempts(2), "GET", false, this.budget);
        call.startAttempt();
        assertThat(call.startHedge()).isTrue();
        assertThat(call.startHedge()).as("max-attempts is 2").isFalse();

        RetryExecution late = start();
        this.now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(late.startHedge()).as("no time left").isFalse();

        RetryExecution ended = start();
        ended.onResponse(1, 200, HeaderLookup.NONE);
        assertThat(ended.startHedge()).isFalse();
    }

    @Test
    void noHedgeOnceTheOnlyCopyHasBeenDecidedOn() {
        RetryExecution call = start();
        assertThat(call.onOutcome(1, Outcome.response(503))).isInstanceOf(RetryDecision.Retry.class);
        // a hedge timer that fires during the wait finds nothing in flight
        assertThat(call.startHedge()).isFalse();
        assertThat(this.events.hedges).isEmpty();
        call.startAttempt();
        assertThat(call.startHedge()).isTrue();
        assertThat(call.attempts()).isEqualTo(3);
    }

    @Test
    void aHedgeIsBoundedByTheTimeLeft() {
        RetryExecution call = start();
        this.now.addAndGet(Duration.ofMillis(3_500).toNanos());
        assertThat(call.startHedge()).isTrue();
        assertThat(call.attemptTimeoutNanos()).isEqualTo(Duration.ofMillis(1_500).toNanos());
        assertThat(call.attemptCutByDeadline()).isTrue();
    }

    @Test
    void aRetriedFailureOfOneCopyLetsTheOthersGoOnAndTheLastOneIsDecidedAsWithoutHedging() {
        RetryExecution call = start();
        call.startHedge();

        RetryDecision first = call.onOutcome(2, Outcome.response(503));
        assertThat(first).isEqualTo(new RetryDecision.OthersGoOn(Category.UNAVAILABLE));
        assertThat(this.events.backoffs).isEmpty();
        assertThat(this.budget.acquireCalls).as("only the hedge drew").isOne();
        assertThat(call.ended()).isFalse();

        RetryDecision last = call.onOutcome(1, Outcome.failure(new java.net.SocketException("Connection reset")));
        // two attempts were made, so the wait is backoff's second: 200ms
        assertThat(last).isEqualTo(new RetryDecision.Retry(Category.CONNECTION_RESET, Duration.ofMillis(200), DelaySource.BACKOFF));
        assertThat(this.budget.acquireCalls).isEqualTo(2);
        assertThat(this.events.backoffs).extracting(BackoffEvent::attempt).containsExactly(1);

        // the next round: attempt 3, hedged again
        assertThat(call.startAttempt()).isTrue();
        assertThat(call.attempts()).isEqualTo(3);
        assertThat(call.startHedge()).isTrue();
        assertThat(call.attempts()).isEqualTo(4);
        call.onOutcome(4, Outcome.response(503));
        RetryDecision exhausted = call.onOutcome(3, Outcome.response(503));
        assertThat(exhausted).isEqualTo(new RetryDecision.Stop(Category.UNAVAILABLE, StopReason.EXHAUSTED));
        assertThat(this.events.hedges).extracting(HedgeEvent::outcome).containsExactly(HedgeEvent.Outcome.LOST, HedgeEvent.Outcome.LOST);
    }

    @Test
    void anOutcomeThatIsNotRetriedWinsAndEndsTheCall() {
        RetryExecution call = start();
        call.startHedge();

        RetryDecision notFound = call.onOutcome(2, Outcome.response(404));
        assertThat(notFound).isEqualTo(new RetryDecision.Stop(Category.PERMANENT, StopReason.NOT_RETRYABLE));
        assertThat(call.ended()).isTrue();
        assertThat(this.events.hedges).extracting(HedgeEvent::outcome).containsExactly(HedgeEvent.Outcome.WON);
        assertThat(this.events.attempts).extracting(AttemptEvent::attempt).containsExactly(2, 1);
    }

    @Test
    void aCopysOwnExceptionThatIsNotRetriedLeavesTheOthersRunning() {
        RetryExecution call = start();
        call.startHedge();
        IllegalStateException broken = new IllegalStateException("a broken connection");
        assertThat(call.onOutcome(2, Outcome.failure(broken)))
            .isEqualTo(new RetryDecision.OthersGoOn(Category.UNKNOWN_ERROR));
        assertThat(call.ended()).isFalse();
        // the last copy in flight is decided on as without hedging
        assertThat(call.onOutcome(1, Outcome.failure(broken)))
            .isEqualTo(new RetryDecision.Stop(Category.UNKNOWN_ERROR, StopReason.NOT_RETRYABLE));
    }

    @Test
    void aSecond500WhileACopyIsInFlightLetsItGoOnButIsNotRetriedAfterwards() {
        RetryExecution call = start();
        call.startHedge();
        assertThat(call.onOutcome(1, Outcome.response(500))).isInstanceOf(RetryDecision.OthersGoOn.class);
        // server-error-retries is 1: that 500 used it
        assertThat(call.onOutcome(2, Outcome.response(500)))
            .isEqualTo(new RetryDecision.Stop(Category.SERVER_ERROR, StopReason.EXHAUSTED));
    }

    @Test
    void aCopyPushedBackByTheServerStopsHedgingAndDelaysTheNextRound() {
        RetryExecution call = start();
        call.startHedge();
        assertThat(call.onOutcome(2, Outcome.response(429, "3", null, null, null)))
            .isEqualTo(new RetryDecision.OthersGoOn(Category.RATE_LIMITED));
        assertThat(call.startHedge()).as("no more copies after pushback").isFalse();
        this.now.addAndGet(Duration.ofSeconds(1).toNanos());

        RetryDecision last = call.onOutcome(1, Outcome.response(503));
        assertThat(last).isEqualTo(new RetryDecision.Retry(Category.UNAVAILABLE, Duration.ofSeconds(2), DelaySource.RETRY_AFTER));
    }

    /**
     * A copy told to wait longer than {@code max-wait} (3600 s) or than the deadline leaves (30 s of 5 s):
     * no further copy, and when the other copy then fails in a way that would be retried, the call ends
     * with the pushed-back copy's reason; a success or a stop of the other copy answers for itself.
     */
    @ParameterizedTest(name = "Retry-After {0} then the other copy answers {1} -> {2}")
    @CsvSource({ "3600, 200, NONE", "3600, 503, RETRY_AFTER_TOO_LONG", "3600, 404, NOT_RETRYABLE",
            "30, 200, NONE", "30, 503, DEADLINE", "30, 404, NOT_RETRYABLE" })
    void aCopyPushedBackBeyondWhatIsAllowedEndsTheCallOnceNoOtherCopyCanWin(String retryAfter, int otherStatus,
            StopReason expected) {
        RetryExecution call = start();
        call.startHedge();
        RetryDecision pushedBack = call.onOutcome(2, Outcome.response(503, retryAfter));
        assertThat(pushedBack).isEqualTo(new RetryDecision.OthersGoOn(Category.UNAVAILABLE));
        assertThat(call.ended()).as("the other copy may still win").isFalse();
        assertThat(call.startHedge()).as("no copy after the server asked for a pause longer than allowed").isFalse();

        RetryDecision last = call.onOutcome(1, Outcome.response(otherStatus));

        assertThat(last).isInstanceOfSatisfying(RetryDecision.Stop.class, (stop) -> assertThat(stop.reason()).isEqualTo(expected));
        assertThat(call.ended()).isTrue();
        assertThat(call.attempts()).isEqualTo(2);
        assertThat(this.events.backoffs).as("no wait was planned").isEmpty();
        assertThat(this.budget.acquireCalls).as("only the hedge drew from the budget").isOne();
        assertThat(this.events.calls).singleElement().satisfies((end) -> {
            assertThat(end.reason()).isEqualTo(expected);
            assertThat(end.lastOutcome()).isEqualTo(Outcome.response(otherStatus));
        });
    }

    /** The same with the other copy failing first: the pushed-back copy is then the last, decided as without hedging. */
    @ParameterizedTest(name = "other copy {0} first, then Retry-After {1} -> {2}")
    @CsvSource({ "503, 3600, RETRY_AFTER_TOO_LONG", "503, 30, DEADLINE" })
    void aPushedBackLastCopyStopsAsWithoutHedging(int otherStatus, String retryAfter, StopReason expected) {
        RetryExecution call = start();
        call.startHedge();
        assertThat(call.onOutcome(1, Outcome.response(otherStatus))).isInstanceOf(RetryDecision.OthersGoOn.class);

        RetryDecision last = call.onOutcome(2, Outcome.response(503, retryAfter));

        assertThat(last).isInstanceOfSatisfying(RetryDecision.Stop.class, (stop) -> assertThat(stop.reason()).isEqualTo(expected));
        assertThat(this.events.backoffs).isEmpty();
    }

    /** The execution says which copies to cancel when a round is settled, each once; the adapter tracks no copies of its own. */
    @Test
    void theCopiesThatLoseAreToldOnceToTheAdapter() {
        RetryExecution call = start();
        assertThat(call.copiesInFlight()).as("not hedged yet: the first attempt").isOne();
        call.startHedge();
        call.startHedge();
        assertThat(call.copiesInFlight()).isEqualTo(3);
        assertThat(call.onOutcome(3, Outcome.response(503))).isInstanceOf(RetryDecision.OthersGoOn.class);
        assertThat(call.copiesInFlight()).isEqualTo(2);
        java.util.List<Integer> lost = new java.util.ArrayList<>();
        call.forEachLostCopy(lost::add);
        assertThat(lost).as("a copy that failed is not cancelled").isEmpty();

        call.onResponse(2, 200, HeaderLookup.NONE);

        call.forEachLostCopy(lost::add);
        call.forEachLostCopy(lost::add);
        assertThat(lost).containsExactly(1);
        assertThat(call.copiesInFlight()).isZero();
    }

    @Test
    void theDeadlineDuringHedgesCutsEveryCopy() {
        RetryExecution call = start(this.policy.attemptTimeout(Duration.ofSeconds(10)), "GET", false, this.budget);
        call.startAttempt();
        assertThat(call.attemptCutByDeadline()).isTrue();
        call.startHedge();

        RetryDecision decision = call.onAttemptTimeout(1, true);
        assertThat(decision).isEqualTo(new RetryDecision.Stop(Category.RESPONSE_TIMEOUT, StopReason.DEADLINE));
        assertThat(this.events.attempts).extracting(AttemptEvent::attempt).containsExactly(1, 2);
        assertThat(this.events.attempts).allSatisfy((event) -> assertThat(event.error()).isInstanceOf(RetryDeadlineExceededException.class));
        assertThat(this.events.hedges).extracting(HedgeEvent::outcome).containsExactly(HedgeEvent.Outcome.LOST);
        assertThat(call.failure()).isInstanceOf(RetryDeadlineExceededException.class);
    }

    @Test
    void aCancelCountsEveryCopyInFlightOnce() {
        RetryExecution call = start();
        call.startHedge();
        call.onOutcome(1, Outcome.failure(new ConnectException("refused")));

        call.onCancel(true);
        call.onCancel(true);
        assertThat(this.events.attempts).extracting(AttemptEvent::attempt).containsExactly(1, 2);
        assertThat(this.events.attempts.get(1).error()).isInstanceOf(CancellationException.class);
        assertThat(this.events.calls).singleElement().satisfies((end) -> assertThat(end.reason()).isEqualTo(StopReason.CANCELLED));
        assertThat(this.events.hedges).extracting(HedgeEvent::outcome).containsExactly(HedgeEvent.Outcome.LOST);
    }
}
