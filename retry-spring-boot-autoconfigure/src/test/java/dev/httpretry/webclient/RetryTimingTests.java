package dev.httpretry.webclient;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import dev.httpretry.core.AttemptTimeoutException;
import dev.httpretry.core.DelaySource;
import dev.httpretry.core.Jitter;
import dev.httpretry.core.RetriedResponseException;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryDeadlineExceededException;
import dev.httpretry.core.RetryPolicyBuilder;
import dev.httpretry.core.StopReason;
import dev.httpretry.testing.Harness;
import dev.httpretry.testing.RecordingScheduler;
import dev.httpretry.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;

import org.springframework.web.reactive.function.client.WebClientResponseException;

import static dev.httpretry.testing.TestServer.Reply.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Exact waits, deadlines and cancellation on virtual time, against a real server: the clock only
 * moves when the test moves it, and an attempt is recorded at the moment it is handed to the
 * connector, so "never earlier than asked" is checked to the nanosecond.
 */
class RetryTimingTests {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    private final TestServer server = new TestServer();

    private final RecordingScheduler scheduler = new RecordingScheduler();

    private final AtomicReference<Object> result = new AtomicReference<>();

    @AfterEach
    void stop() {
        this.server.close();
        this.scheduler.dispose();
    }

    static List<Arguments> jitters() {
        // initial 100ms, multiplier 2, max 1s, random 0.25: capped delays 100, 200, 400, 800 ms
        return List.of(
                Arguments.of(Jitter.NONE, List.of(100_000_000L, 200_000_000L, 400_000_000L, 800_000_000L)),
                Arguments.of(Jitter.FULL, List.of(25_000_000L, 50_000_000L, 100_000_000L, 200_000_000L)),
                Arguments.of(Jitter.EQUAL, List.of(62_500_000L, 125_000_000L, 250_000_000L, 500_000_000L)),
                // min(max, initial + 0.25 * (3 * previous - initial)), previous starting at initial
                Arguments.of(Jitter.DECORRELATED, List.of(150_000_000L, 187_500_000L, 215_625_000L, 236_718_750L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jitters")
    void eachJitterWaitsExactlyWhatItComputes(Jitter jitter, List<Long> expectedNanos) {
        this.server.otherwise(status(503).body("busy"));
        Harness harness = harness(policy().maxAttempts(5).initialDelay(Duration.ofMillis(100))
            .multiplier(2.0).maxDelay(Duration.ofSeconds(1)).jitter(jitter).random(() -> 0.25));
        start(harness);

        for (int retry = 0; retry < expectedNanos.size(); retry++) {
            Duration expected = Duration.ofNanos(expectedNanos.get(retry));
            awaitWaitScheduled(harness, retry + 1);
            assertThat(harness.listener.backoffs.get(retry).delay()).isEqualTo(expected);
            long before = this.scheduler.now(java.util.concurrent.TimeUnit.NANOSECONDS);
            this.scheduler.advance(expected.minusNanos(1));
            assertThat(harness.sent).as("no attempt before the wait ends").hasSize(retry + 1);
            this.scheduler.advance(Duration.ofNanos(1));
            assertThat(harness.sent).hasSize(retry + 2);
            assertThat(harness.sent.get(retry + 1) - before).isEqualTo(expected.toNanos());
        }
        awaitResult();
        assertThat(this.result.get()).isInstanceOf(WebClientResponseException.ServiceUnavailable.class);
        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.EXHAUSTED);
    }

    @ParameterizedTest(name = "Retry-After: {0}")
    @ValueSource(strings = { "2", "Sat, 28 Nov 2026 12:00:02 GMT", "Saturday, 28-Nov-26 12:00:02 GMT",
            "Sat Nov 28 12:00:02 2026" })
    void retryAfterInEachFormIsWaitedForExactly(String retryAfter) {
        this.server.then(status(429).header("Retry-After", retryAfter)).otherwise(status(200).body("ok"));
        Harness harness = harness(policy());
        start(harness);

        awaitWaitScheduled(harness, 1);
        assertThat(harness.listener.backoffs.get(0).source()).isEqualTo(DelaySource.RETRY_AFTER);
        this.scheduler.advance(Duration.ofSeconds(2).minusNanos(1));
        assertThat(harness.sent).as("never earlier than Retry-After").hasSize(1);
        this.scheduler.advance(Duration.ofNanos(1));
        assertThat(harness.sent).hasSize(2);
        awaitResult();
        assertThat(this.result.get()).isEqualTo("ok");
    }

    @Test
    void retryAfterBeyondMaxWaitGivesUpAtOnce() {
        this.server.otherwise(status(503).header("Retry-After", "61").body("down for maintenance"));
        Harness harness = harness(policy());
        start(harness);

        awaitResult();
        assertThat(this.result.get()).isInstanceOf(WebClientResponseException.ServiceUnavailable.class);
        assertThat(this.server.requests()).isEqualTo(1);
        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.RETRY_AFTER_TOO_LONG);
        assertThat(this.scheduler.now(java.util.concurrent.TimeUnit.NANOSECONDS)).isZero();
    }

    @Test
    void retryAfterEndingPastTheDeadlineGivesUpAtOnce() {
        this.server.otherwise(status(429).header("Retry-After", "30"));
        Harness harness = harness(policy().deadline(Duration.ofSeconds(20)));
        start(harness);

        awaitResult();
        assertThat(this.result.get()).isInstanceOf(WebClientResponseException.TooManyRequests.class);
        assertThat(this.server.requests()).isEqualTo(1);
        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.DEADLINE);
    }

    @Test
    void deadlineStopsBeforeAWaitThatWouldEndAfterIt() {
        this.server.otherwise(status(503).body("still down"));
        // a fixed 300ms wait; the deadline of 1s allows attempts at 0, 300, 600 and 900 ms
        Harness harness = harness(policy().maxAttempts(10).initialDelay(Duration.ofMillis(300))
            .maxDelay(Duration.ofMillis(300)).multiplier(1.0).deadline(Duration.ofSeconds(1)));
        start(harness);

        for (int retry = 1; retry <= 3; retry++) {
            awaitWaitScheduled(harness, retry);
            this.scheduler.advance(Duration.ofMillis(300));
        }
        awaitResult();
        assertThat(this.result.get()).isInstanceOfSatisfying(WebClientResponseException.ServiceUnavailable.class,
                (ex) -> assertThat(ex.getResponseBodyAsString()).isEqualTo("still down"));
        assertThat(harness.sent).hasSize(4);
        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.DEADLINE);
        assertThat(this.scheduler.now(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(900);
    }

    @Test
    void deadlinePassingDuringAnAttemptCancelsItAndFailsWithATimeoutException() {
        this.server.then(status(503)).otherwise(TestServer.Reply.hang());
        Harness harness = harness(policy().initialDelay(Duration.ofMillis(300)).maxDelay(Duration.ofMillis(300))
            .deadline(Duration.ofSeconds(1)).attemptTimeout(Duration.ofSeconds(10)));
        start(harness);

        awaitWaitScheduled(harness, 1);
        this.scheduler.advance(Duration.ofMillis(300));
        await().atMost(Duration.ofSeconds(10)).until(() -> this.server.requests() == 2);
        this.scheduler.advance(Duration.ofMillis(700));
        awaitResult();

        assertThat(this.result.get()).isInstanceOfSatisfying(RetryDeadlineExceededException.class, (ex) -> {
            assertThat(ex).isInstanceOf(TimeoutException.class)
                .hasMessage("Deadline of 1s exceeded after 2 attempts; attempt 2 was cancelled, "
                        + "the one before failed with status 503");
            assertThat(ex.getAttempts()).isEqualTo(2);
            assertThat(ex.getSuppressed()).filteredOn(RetriedResponseException.class::isInstance).singleElement()
                .satisfies((earlier) -> assertThat(((RetriedResponseException) earlier).getStatus()).isEqualTo(503));
        });
        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.DEADLINE);
        assertThat(this.scheduler.now(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(1000);
    }

    @Test
    void lastAttemptTimingOutFailsWithTheAttemptTimeout() {
        this.server.otherwise(TestServer.Reply.hang());
        Harness harness = harness(policy().maxAttempts(2).attemptTimeout(Duration.ofMillis(200)));
        start(harness);

        for (int attempt = 1; attempt <= 2; attempt++) {
            int expected = attempt;
            await().atMost(Duration.ofSeconds(10)).until(() -> this.server.requests() == expected);
            this.scheduler.advance(Duration.ofMillis(200));
            if (attempt == 1) {
                awaitWaitScheduled(harness, 1);
                this.scheduler.advance(harness.listener.backoffs.get(0).delay());
            }
        }
        awaitResult();
        assertThat((Throwable) this.result.get()).isInstanceOf(AttemptTimeoutException.class)
            .hasMessage("No response within attempt-timeout of 200ms (attempt 2)");
        assertThat(((Throwable) this.result.get()).getSuppressed()).filteredOn(AttemptTimeoutException.class::isInstance)
            .singleElement().satisfies((earlier) -> assertThat(earlier).hasMessageEndingWith("(attempt 1)"));
        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.EXHAUSTED);
    }

    @Test
    void cancellingDuringAWaitSendsNothingMore() {
        this.server.otherwise(status(503));
        Harness harness = harness(policy());
        Disposable subscription = start(harness);

        awaitWaitScheduled(harness, 1);
        subscription.dispose();
        this.scheduler.advance(Duration.ofMinutes(5));

        assertThat(harness.sent).hasSize(1);
        assertThat(this.server.requests()).isEqualTo(1);
        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.CANCELLED);
        assertThat(this.result.get()).isNull();
    }

    @Test
    void cancellingDuringAnAttemptCancelsIt() {
        this.server.otherwise(TestServer.Reply.hang());
        Harness harness = harness(policy());
        Disposable subscription = start(harness);

        await().atMost(Duration.ofSeconds(10)).until(() -> this.server.requests() == 1);
        subscription.dispose();
        this.scheduler.advance(Duration.ofMinutes(5));

        assertThat(harness.sent).hasSize(1);
        assertThat(harness.listener.onlyCall().reason()).isEqualTo(StopReason.CANCELLED);
    }

    private RetryPolicyBuilder policy() {
        return Harness.fastPolicy().clock(Clock.fixed(NOW, ZoneOffset.UTC)).attemptTimeout(Duration.ofMinutes(1))
            .deadline(Duration.ofMinutes(2));
    }

    private Harness harness(RetryPolicyBuilder policy) {
        return Harness.of(RetryClients.of(Map.of(RetryClients.DEFAULT_CLIENT, policy.build()), Clock.systemUTC()))
            .scheduler(this.scheduler);
    }

    private Disposable start(Harness harness) {
        return harness.client(this.server.url()).get().retrieve().bodyToMono(String.class)
            .subscribe(this.result::set, this.result::set);
    }

    /** Waits (in real time) until the given number of waits has been decided and its timer started. */
    private void awaitWaitScheduled(Harness harness, int waits) {
        await().atMost(Duration.ofSeconds(10)).until(() -> harness.listener.backoffs.size() >= waits
                && this.scheduler.delays.contains(harness.listener.backoffs.get(waits - 1).delay())
                && scheduledWaits(harness) >= waits);
    }

    private long scheduledWaits(Harness harness) {
        // every attempt schedules its timeout first; every other timed task is a wait
        return this.scheduler.delays.size() - harness.sent.size();
    }

    private void awaitResult() {
        await().atMost(Duration.ofSeconds(10)).until(() -> this.result.get() != null);
    }
}
