package dev.httpretry.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/**
 * A total outage: every attempt of every call gets a 503, at max-attempts 4 (so up to 3 retries a
 * call), decided by {@link RetryPolicy#decide} against the default budget (ratio 0.1, floor 10 per
 * second over a 10 s window). Retries are bounded by {@code 0.1 * calls + 10 * seconds}, instead of
 * the 3 per call (30,000) that an unbudgeted client would add.
 */
class OutageSimulationTests {

    private static final int CALLS = 10_000;

    private static final long T0 = 1_700_000_000_000L;

    private static final long WINDOW_MILLIS = RetryBudget.WINDOW_SECONDS * 1000;

    /** @return the retries granted in each 10 s window since the first call */
    private static long[] simulate(long millisPerCall) {
        MutableClock clock = MutableClock.atEpochMillis(T0);
        RetryPolicy policy = RetryPolicy.builder().random(() -> 0.5)
                .clock(Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC)).build();
        assertThat(policy.settings().maxAttempts()).isEqualTo(4);
        RetryBudget budget = policy.newBudget(clock);
        long[] retriesPerWindow = new long[(int) (CALLS * millisPerCall / WINDOW_MILLIS) + 1];
        for (int call = 0; call < CALLS; call++) {
            long elapsed = call * millisPerCall;
            clock.setMillis(T0 + elapsed);
            budget.recordFirstAttempt();
            Duration timeLeft = policy.settings().deadline();
            Duration previous = null;
            for (int number = 1;; number++) {
                RetryDecision decision = policy.decide(
                        new Attempt(number, Outcome.response(503), "GET", false, timeLeft, 0, previous), budget);
                if (decision instanceof RetryDecision.Retry retry) {
                    retriesPerWindow[(int) (elapsed / WINDOW_MILLIS)]++;
                    previous = retry.delay();
                    timeLeft = timeLeft.minus(retry.delay());
                }
                else {
                    RetryDecision.Stop stop = (RetryDecision.Stop) decision;
                    assertThat(stop.reason()).isIn(StopReason.EXHAUSTED, StopReason.BUDGET);
                    assertThat(number).isLessThanOrEqualTo(4);
                    break;
                }
            }
        }
        return retriesPerWindow;
    }

    /** 10,000 calls 1 ms apart: one 10 s window, so at most 0.1 * 10,000 + 10 * 10 = 1,100 retries. */
    @Test
    void tenThousandCallsInOneWindowRetryAtMost1100Times() {
        long retries = Arrays.stream(simulate(1)).sum();
        assertThat(retries).isLessThanOrEqualTo(1_100);
        // the bound is reached exactly: the floor of 100 plus 1,000 earned in whole retries
        assertThat(retries).isEqualTo(1_100);
    }

    /** 10,000 calls 10 ms apart over 100 s: at most 0.1 * 10,000 + 10 * 100 = 2,000 retries. */
    @Test
    void tenThousandCallsOverOneHundredSecondsRetryAtMost2000Times() {
        long[] perWindow = simulate(10);
        long retries = Arrays.stream(perWindow).sum();
        assertThat(retries).isLessThanOrEqualTo(2_000);
        // reached exactly: in each of the ten windows, 1,000 calls earn 100 and the floor adds 100
        assertThat(retries).isEqualTo(2_000);
        assertThat(Arrays.copyOf(perWindow, 10)).containsOnly(200L);
    }
}
