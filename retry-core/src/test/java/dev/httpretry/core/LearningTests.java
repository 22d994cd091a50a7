package dev.httpretry.core;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What calls learn of their destination through their client: a 503 cuts the destination's rate and
 * later attempts wait for their turn (told to the listener), a turn past the deadline ends the call
 * {@code throttled} without sending, a hedge never waits, and an automatic hedging delay follows the
 * destination's recent latencies; a client that learns nothing keeps nothing.
 */
class LearningTests {

    private static final long MS = 1_000_000L;

    private final AtomicLong nanos = new AtomicLong(1_000 * MS);

    private final RecordingListener events = new RecordingListener();

    private RetryClient client(RetryPolicy policy) {
        RetrySettings settings = policy.settings();
        return new RetryClient("payments", policy, RetryBudgets.disabled(), true, LearnedDestinations.of(settings, this.nanos::get));
    }

    private RetryExecution call(RetryClient client, String path) {
        return client.start("GET", URI.create("http://api.example" + path), (name) -> null, this.events, this.nanos::get);
    }

    @Test
    void aPushbackMakesLaterAttemptsWaitForTheirTurnAndATurnPastTheDeadlineThrottles() {
        RetryClient client = client(RetryPolicy.builder().adaptive(true).deadline(Duration.ofSeconds(1)).build());
        // 100 calls in a second, answered, then a 503
        for (int i = 0; i < 100; i++) {
            RetryExecution call = call(client, "/ok");
            assertThat(call.turnNanos()).isZero();
            call.startAttempt();
            call.onResponse(1, 200, (name) -> null);
            this.nanos.addAndGet(10 * MS);
        }
        RetryExecution pushedBack = call(client, "/busy");
        pushedBack.turnNanos();
        pushedBack.startAttempt();
        pushedBack.onResponse(1, 503, (name) -> null);
        double rate = client.learned().snapshot(10).get(0).rate();
        assertThat(rate).isCloseTo(70, org.assertj.core.api.Assertions.within(3.0));

        // a crowd of calls: the turns are spaced at the rate, until one would come after the deadline
        long lastWait = 0;
        int throttled = 0;
        for (int i = 0; i < 100; i++) {
            RetryExecution call = call(client, "/crowd");
            long wait = call.turnNanos();
            if (wait < 0) {
                throttled++;
                assertThat(call.ended()).isTrue();
                assertThat(call.failure()).isInstanceOf(RetryThrottledException.class).hasMessageContaining("not sent");
                continue;
            }
            assertThat(wait).isGreaterThanOrEqualTo(lastWait);
            lastWait = wait;
        }
        assertThat(lastWait).isLessThan(Duration.ofSeconds(1).toNanos());
        assertThat(throttled).as("about a second's worth of turns fit before the deadline").isBetween(25, 35);
        assertThat(this.events.calls).filteredOn((end) -> end.reason() == StopReason.THROTTLED).hasSize(throttled);
        assertThat(this.events.throttles).isNotEmpty().allSatisfy((wait) -> assertThat(wait.delay()).isPositive());
    }

    @Test
    void anAutomaticHedgingDelayFollowsTheLatenciesNeverBelowItsMinimum() {
        RetryClient client = client(RetryPolicy.builder().hedgingEnabled(true).hedgingDelay(Duration.ofMillis(300)).hedgingAutoDelay()
            .hedgingMinDelay(Duration.ofMillis(10)).build());
        assertThat(call(client, "/a").hedgeDelayNanos()).as("too few latencies: the configured delay").isEqualTo(300 * MS);
        answerAfter(client, 40, 20 * MS);
        assertThat(call(client, "/a").hedgeDelayNanos()).isBetween(20 * MS, 23 * MS);
        answerAfter(client, 400, 80 * MS);
        assertThat(call(client, "/a").hedgeDelayNanos()).as("the destination slowed").isBetween(80 * MS, 90 * MS);

        RetryClient fast = client(RetryPolicy.builder().hedgingEnabled(true).hedgingAutoDelay().hedgingMinDelay(Duration.ofMillis(10)).build());
        answerAfter(fast, 40, 1 * MS);
        assertThat(call(fast, "/a").hedgeDelayNanos()).as("never below min-delay").isEqualTo(10 * MS);
        assertThat(fast.learned().snapshot(10)).singleElement().satisfies((learned) -> {
            assertThat(learned.destination()).isEqualTo("http://api.example:80");
            assertThat(learned.hedgeDelayMillis()).isEqualTo(10.0);
            assertThat(learned.rate()).isNull();
        });
    }

    @Test
    void aCopyCancelledBecauseAnotherAnsweredFirstIsNotCountedAsALatency() {
        RetryClient client = client(RetryPolicy.builder().hedgingEnabled(true).hedgingAutoDelay()
            .hedgingMinDelay(Duration.ofMillis(10)).build());
        RetryExecution call = call(client, "/a");
        call.turnNanos();
        call.startAttempt();
        this.nanos.addAndGet(40 * MS);
        assertThat(call.startHedge()).isTrue();
        this.nanos.addAndGet(3 * MS);
        call.onResponse(2, 200, (name) -> null);
        // the hedge's 3 ms is counted; the original, cancelled at 43 ms, is not
        assertThat(client.learned().snapshot(10)).singleElement().extracting(LearnedDestination::latencies).isEqualTo(1);
    }

    @Test
    void aClientThatLearnsNothingKeepsNothing() {
        RetryClient client = client(RetryPolicy.defaults());
        assertThat(client.learned().enabled()).isFalse();
        RetryExecution call = call(client, "/a");
        assertThat(call.learning).isNull();
        assertThat(call.turnNanos()).isZero();
        assertThat(client.learned().snapshot(10)).isEmpty();
        assertThat(RetryClients.of(Map.of("default", RetryPolicy.defaults()), MonotonicClock.INSTANCE).get("default").learned().enabled())
            .isFalse();
    }

    /** {@code count} calls, each answered 200 after {@code latency}. */
    private void answerAfter(RetryClient client, int count, long latency) {
        for (int i = 0; i < count; i++) {
            RetryExecution call = call(client, "/a");
            call.startAttempt();
            this.nanos.addAndGet(latency);
            call.onResponse(1, 200, (name) -> null);
        }
    }
}
