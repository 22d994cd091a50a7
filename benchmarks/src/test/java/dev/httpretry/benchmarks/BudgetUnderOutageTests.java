package dev.httpretry.benchmarks;

import dev.httpretry.benchmarks.BudgetUnderOutage.Result;
import dev.httpretry.core.RetrySettings;
import dev.httpretry.core.RetryBudget;
import dev.httpretry.core.RetryPolicy;
import dev.httpretry.core.StopReason;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The retry budget under a total outage, through the real filter over loopback, with fewer calls
 * than the benchmark. The bound is the one the budget documents, counted over the windows the run
 * actually touched on the budget's clock; no timing is asserted.
 */
class BudgetUnderOutageTests {

    private static final int CALLS = 2_000;

    private static final int CONCURRENCY = 50;

    private static LoopbackServer server;

    @BeforeAll
    static void start() {
        server = LoopbackServer.totalOutage();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void withoutABudgetEveryCallMakesEveryAttempt() {
        Result result = BudgetUnderOutage.run(server, false, CALLS, CONCURRENCY);

        assertThat(result.requests()).isEqualTo(4L * CALLS);
        assertThat(result.stops().get(StopReason.EXHAUSTED)).isEqualTo(CALLS);
    }

    @Test
    void theDefaultBudgetKeepsRetriesWithinItsDocumentedBound() {
        Result result = BudgetUnderOutage.run(server, true, CALLS, CONCURRENCY);

        // ratio * calls + floor * window * (windows the run touched), and never more than max-attempts allows
        double bound = RetrySettings.DEFAULT_BUDGET_RATIO * CALLS
                + RetrySettings.DEFAULT_BUDGET_MIN_RETRIES_PER_SECOND * RetryBudget.WINDOW_SECONDS * result.windows();
        assertThat(result.retries()).isLessThanOrEqualTo((long) Math.floor(bound));
        assertThat(result.attemptsPerCall()).isLessThanOrEqualTo(1 + bound / CALLS);
        // the floor is always there to spend: the first floor * window retries are granted
        assertThat(result.retries()).isGreaterThanOrEqualTo(
                (long) RetrySettings.DEFAULT_BUDGET_MIN_RETRIES_PER_SECOND * RetryBudget.WINDOW_SECONDS);
        assertThat(result.stops().get(StopReason.BUDGET)).isPositive();
        assertThat(result.budgetStops()).as("the meter agrees").isEqualTo((double) result.stops().get(StopReason.BUDGET));
        assertThat(result.stops().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(CALLS);
    }
}
