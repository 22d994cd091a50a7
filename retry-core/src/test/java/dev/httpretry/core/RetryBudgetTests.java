package dev.httpretry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The windowed budget, driven by a hand-moved clock: 10 one-second slots, counted exactly. */
class RetryBudgetTests {

    /** A whole second, so the window's one-second slots start here. */
    private static final long T0 = 1_700_000_000_000L;

    private final MutableClock clock = MutableClock.atEpochMillis(T0);

    private void at(long millisAfterT0) {
        clock.setMillis(T0 + millisAfterT0);
    }

    private static int acquireAll(RetryBudget budget, int tries) {
        int granted = 0;
        for (int i = 0; i < tries; i++) {
            if (budget.tryAcquireRetry()) {
                granted++;
            }
        }
        return granted;
    }

    private static void deposit(RetryBudget budget, int firstAttempts) {
        for (int i = 0; i < firstAttempts; i++) {
            budget.recordFirstAttempt();
        }
    }

    @Test
    void floorOnlyGrantsExactlyOneHundredRetriesPerTenSecondWindow() {
        RetryBudget budget = RetryBudget.windowed(0, 10, clock);
        assertThat(budget.available()).isEqualTo(100);
        assertThat(acquireAll(budget, 100)).isEqualTo(100);
        assertThat(budget.tryAcquireRetry()).isFalse();
        assertThat(budget.available()).isZero();
        // first attempts earn nothing at ratio 0
        deposit(budget, 1_000);
        assertThat(budget.tryAcquireRetry()).isFalse();
        // still inside the window
        at(9_999);
        assertThat(budget.available()).isZero();
        assertThat(budget.tryAcquireRetry()).isFalse();
        // the window has rolled past the retries taken at T0
        at(10_000);
        assertThat(budget.available()).isEqualTo(100);
        assertThat(acquireAll(budget, 150)).isEqualTo(100);
        assertThat(budget.available()).isZero();
    }

    @Test
    void retriesTakenAcrossTheWindowExpireSlotBySlot() {
        RetryBudget budget = RetryBudget.windowed(0, 1, clock); // a floor of 10 per window
        assertThat(acquireAll(budget, 4)).isEqualTo(4);
        at(3_000);
        assertThat(acquireAll(budget, 10)).isEqualTo(6);
        at(10_000); // the 4 taken at T0 expire
        assertThat(budget.available()).isEqualTo(4);
        at(12_999);
        assertThat(budget.available()).isEqualTo(4);
        at(13_000); // the 6 taken at 3s expire
        assertThat(budget.available()).isEqualTo(10);
    }

    @Test
    void eachFirstAttemptDepositsTheRatio() {
        RetryBudget budget = RetryBudget.windowed(0.5, 0, clock);
        assertThat(budget.available()).isZero();
        assertThat(budget.tryAcquireRetry()).isFalse();
        budget.recordFirstAttempt();
        assertThat(budget.available()).isZero();
        assertThat(budget.tryAcquireRetry()).isFalse();
        budget.recordFirstAttempt();
        assertThat(budget.available()).isEqualTo(1);
        assertThat(budget.tryAcquireRetry()).isTrue();
        assertThat(budget.tryAcquireRetry()).isFalse();
        assertThat(budget.available()).isZero();
    }

    @Test
    void tenthsAddUpExactly() {
        RetryBudget budget = RetryBudget.windowed(0.1, 0, clock);
        deposit(budget, 9);
        assertThat(budget.available()).isZero();
        budget.recordFirstAttempt();
        assertThat(budget.available()).isEqualTo(1);
        deposit(budget, 9_990);
        assertThat(budget.available()).isEqualTo(1_000);
    }

    @Test
    void aRatioAboveOneGrantsSeveralRetriesPerCall() {
        RetryBudget budget = RetryBudget.windowed(1.5, 0, clock);
        deposit(budget, 3);
        assertThat(budget.available()).isEqualTo(4);
        assertThat(acquireAll(budget, 10)).isEqualTo(4);
        RetryBudget max = RetryBudget.windowed(1000, 0, clock);
        max.recordFirstAttempt();
        assertThat(max.available()).isEqualTo(1000);
    }

    @Test
    void depositsExpireAfterTheWindow() {
        RetryBudget budget = RetryBudget.windowed(1, 0, clock);
        deposit(budget, 3);
        at(999);
        deposit(budget, 2); // the same one-second slot
        assertThat(budget.available()).isEqualTo(5);
        at(5_000);
        deposit(budget, 4);
        assertThat(budget.available()).isEqualTo(9);
        at(9_999);
        assertThat(budget.available()).isEqualTo(9);
        at(10_000);
        assertThat(budget.available()).isEqualTo(4);
        at(14_999);
        assertThat(budget.available()).isEqualTo(4);
        at(15_000);
        assertThat(budget.available()).isZero();
    }

    @Test
    void depositsAndRetriesOfTheSameSlotExpireTogether() {
        RetryBudget budget = RetryBudget.windowed(1, 0, clock);
        deposit(budget, 5);
        assertThat(acquireAll(budget, 5)).isEqualTo(5);
        at(5_000);
        deposit(budget, 1);
        assertThat(budget.available()).isEqualTo(1);
        at(10_000);
        assertThat(budget.available()).isEqualTo(1);
    }

    @Test
    void aSlotIsReusedAfterAFullWindow() {
        RetryBudget budget = RetryBudget.windowed(1, 0, clock);
        deposit(budget, 7);
        at(10_000); // the same slot index, one window later: the old amount is gone, not added to
        deposit(budget, 2);
        assertThat(budget.available()).isEqualTo(2);
        at(30_500);
        deposit(budget, 1);
        assertThat(budget.available()).isEqualTo(1);
    }

    @Test
    void aClockThatGoesBackKeepsItsDeposits() {
        RetryBudget budget = RetryBudget.windowed(1, 0, clock);
        at(15_000);
        deposit(budget, 1);
        at(5_000); // same slot index, ten slots earlier
        deposit(budget, 1);
        assertThat(budget.available()).isEqualTo(2);
        at(4_000);
        deposit(budget, 1);
        assertThat(budget.available()).isEqualTo(3);
    }

    @Test
    void aClockBeforeTheEpochWorks() {
        clock.setMillis(-123_456);
        RetryBudget budget = RetryBudget.windowed(1, 0, clock);
        deposit(budget, 2);
        assertThat(budget.available()).isEqualTo(2);
        clock.setMillis(-123_456 + 10_000);
        assertThat(budget.available()).isZero();
    }

    @Test
    void aShortWindowUsesMillisecondSlots() {
        RetryBudget budget = new WindowedRetryBudget(1, 0, Duration.ofMillis(5), clock);
        deposit(budget, 1);
        at(9);
        assertThat(budget.available()).isEqualTo(1);
        at(10);
        assertThat(budget.available()).isZero();
        RetryBudget hundredMillis = new WindowedRetryBudget(1, 0, Duration.ofMillis(100), clock);
        deposit(hundredMillis, 1);
        at(109);
        assertThat(hundredMillis.available()).isEqualTo(1);
        at(110);
        assertThat(hundredMillis.available()).isZero();
    }

    @Test
    void theFloorScalesWithTheWindow() {
        assertThat(new WindowedRetryBudget(0, 3, Duration.ofSeconds(2), clock).available()).isEqualTo(6);
        assertThat(RetryBudget.windowed(0, Integer.MAX_VALUE, clock).available()).isEqualTo(Integer.MAX_VALUE * 10L);
        assertThat(RetryBudget.windowed(0, 0, clock).available()).isZero();
        assertThat(RetryBudget.windowed(0, 0, clock).tryAcquireRetry()).isFalse();
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(() -> RetryBudget.windowed(-1, 10, clock))
                .withMessage("Invalid budget.ratio (-1.0): must be between 0 and 1000");
        assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(() -> RetryBudget.windowed(1000.01, 10, clock))
                .withMessage("Invalid budget.ratio (1000.01): must be between 0 and 1000");
        assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(() -> RetryBudget.windowed(Double.NaN, 10, clock))
                .withMessage("Invalid budget.ratio (NaN): must be between 0 and 1000");
        assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(() -> RetryBudget.windowed(0.1, -1, clock))
                .withMessage("Invalid budget.min-retries-per-second (-1): must be zero or positive");
        assertThatNullPointerException().isThrownBy(() -> RetryBudget.windowed(0.1, 10, null)).withMessage("clock");
    }

    @Test
    void unlimitedGrantsEverything() {
        RetryBudget budget = RetryBudget.unlimited();
        assertThat(budget).isSameAs(RetryBudget.unlimited());
        budget.recordFirstAttempt();
        assertThat(acquireAll(budget, 10_000)).isEqualTo(10_000);
        assertThat(budget.available()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void concurrentRetriesNeverOverdraw() throws Exception {
        RetryBudget budget = RetryBudget.windowed(0, 10, clock);
        int threads = 8;
        List<Integer> granted = runConcurrently(threads, () -> acquireAll(budget, 500));
        assertThat(granted.stream().mapToInt(Integer::intValue).sum()).isEqualTo(100);
        assertThat(budget.available()).isZero();
    }

    @Test
    void concurrentDepositsAreNotLostAndRetriesStayWithinThem() throws Exception {
        RetryBudget budget = RetryBudget.windowed(0.5, 0, clock);
        int threads = 8;
        int calls = 2_000;
        List<Integer> granted = runConcurrently(threads, () -> {
            int mine = 0;
            for (int i = 0; i < calls; i++) {
                budget.recordFirstAttempt();
                if (budget.tryAcquireRetry()) {
                    mine++;
                }
            }
            return mine;
        });
        long total = granted.stream().mapToInt(Integer::intValue).sum();
        long bound = threads * calls / 2; // 0.5 per first attempt, no floor
        assertThat(total).isLessThanOrEqualTo(bound);
        // every deposit arrived: what was not granted is still available
        assertThat(total + budget.available()).isEqualTo(bound);
    }

    private static List<Integer> runConcurrently(int threads, Callable<Integer> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch ready = new CountDownLatch(threads);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    start.await();
                    return task.call();
                }));
            }
            assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
            start.countDown();
            List<Integer> results = new ArrayList<>();
            for (Future<Integer> future : futures) {
                results.add(future.get(30, TimeUnit.SECONDS));
            }
            return results;
        }
        finally {
            pool.shutdownNow();
        }
    }
}
