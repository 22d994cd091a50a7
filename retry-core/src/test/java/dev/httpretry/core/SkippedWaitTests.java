package dev.httpretry.core;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A call that skips its waits ({@link RetryExecution#skipWait}) is decided exactly as one that waits
 * them: the deadline counts the skipped waits, and an HTTP-date in a later answer is read as if they
 * had passed on the wall clock.
 */
class SkippedWaitTests {

    private static final Instant START = Instant.parse("2026-12-06T12:00:00Z");

    /** Each answer, as the server gives it at the wall-clock second of the attempt. */
    private static final List<Map<String, String>> ANSWERS = List.of(
            Map.of("Retry-After", "2"),
            Map.of("Retry-After", date(START.plusSeconds(2 + 3))),
            Map.of("Retry-After", date(START.plusSeconds(2 + 3 + 4))),
            Map.of("Retry-After", "1"));

    @Test
    void skippedWaitsGiveTheSameDecisionsAsWaitsThatPass() {
        assertThat(run(false)).isEqualTo(run(true)).containsExactly(
                "Retry[category=UNAVAILABLE, delay=PT2S, source=RETRY_AFTER]",
                "Retry[category=UNAVAILABLE, delay=PT3S, source=RETRY_AFTER]",
                "Retry[category=UNAVAILABLE, delay=PT4S, source=RETRY_AFTER]",
                // 9 s waited of a 10 s deadline: a 1 s wait would end at the deadline
                "Stop[category=UNAVAILABLE, reason=DEADLINE]");
    }

    /** The answers above, waiting each decided delay on the clocks, or skipping it. */
    private static List<String> run(boolean skip) {
        MutableClock wall = new MutableClock(START);
        AtomicLong nanos = new AtomicLong(42);
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(5).jitter(Jitter.NONE).initialDelay(Duration.ofMillis(10))
            .deadline(Duration.ofSeconds(10)).attemptTimeout(Duration.ofSeconds(1)).clock(wall).build();
        RetryExecution call = policy.start("payments", "GET", false, RetryBudget.unlimited(), RetryListener.NONE, nanos::get);
        List<String> decisions = new ArrayList<>();
        Consumer<Duration> wait = skip ? (delay) -> call.skipWait(delay.toNanos()) : (delay) -> {
            wall.advance(delay);
            nanos.addAndGet(delay.toNanos());
        };
        int attempt = 0;
        for (Map<String, String> answer : ANSWERS) {
            call.startAttempt();
            attempt++;
            RetryDecision decision = call.onResponse(attempt, 503, (name) -> answer.containsKey(name) ? List.of(answer.get(name)) : null);
            decisions.add(decision.toString());
            if (!(decision instanceof RetryDecision.Retry retry)) {
                break;
            }
            wait.accept(retry.delay());
        }
        return decisions;
    }

    private static String date(Instant instant) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC));
    }
}
