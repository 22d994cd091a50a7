package dev.httpretry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** Budgets per destination: created on demand, at most so many, least recently used dropped first. */
class RetryBudgetsTests {

    private static final long T0 = 1_700_000_000_000L;

    private final MutableClock clock = MutableClock.atEpochMillis(T0);

    /** Ratio 0 and a floor of 1 per second: 10 retries per fresh destination, no more. */
    private RetryBudgets tenRetriesEach(int maxDestinations) {
        return RetryBudgets.windowed(0, 1, clock, maxDestinations);
    }

    private static int drain(RetryBudget budget) {
        int granted = 0;
        while (budget.tryAcquireRetry()) {
            granted++;
        }
        return granted;
    }

    @Test
    void destinationNormalisesSchemeHostAndDefaultPort() {
        assertThat(RetryBudgets.destination("HTTPS", "API.Example.COM", -1)).isEqualTo("https://api.example.com:443");
        assertThat(RetryBudgets.destination("http", "api.example.com", -1)).isEqualTo("http://api.example.com:80");
        assertThat(RetryBudgets.destination("https", "api.example.com", 443)).isEqualTo("https://api.example.com:443");
        assertThat(RetryBudgets.destination("http", "api.example.com", 8080)).isEqualTo("http://api.example.com:8080");
        assertThat(RetryBudgets.destination("wss", "x", -1)).isEqualTo("wss://x:443");
        assertThat(RetryBudgets.destination("ws", "x", -1)).isEqualTo("ws://x:80");
        assertThat(RetryBudgets.destination("ftp", "x", -1)).isEqualTo("ftp://x");
        assertThat(RetryBudgets.destination("http", "127.0.0.1", 0)).isEqualTo("http://127.0.0.1:0");
        assertThat(RetryBudgets.destination("https", "[::1]", -1)).isEqualTo("https://[::1]:443");
        assertThat(RetryBudgets.destination("https", "FE80::1", 8443)).isEqualTo("https://[fe80::1]:8443");
        assertThat(RetryBudgets.destination("http", "::1", 65535)).isEqualTo("http://[::1]:65535");
        // Turkish dotted I stays ASCII whatever the default locale
        assertThat(RetryBudgets.destination("HTTP", "IBM.COM", -1)).isEqualTo("http://ibm.com:80");
    }

    @Test
    void destinationRejectsAPortOutOfRange() {
        assertThatIllegalArgumentException().isThrownBy(() -> RetryBudgets.destination("http", "x", -2))
                .withMessage("Invalid port (-2): must be -1 (none) or 0 to 65535");
        assertThatIllegalArgumentException().isThrownBy(() -> RetryBudgets.destination("http", "x", 65536))
                .withMessageContaining("(65536)");
        assertThatNullPointerException().isThrownBy(() -> RetryBudgets.destination(null, "x", 1));
        assertThatNullPointerException().isThrownBy(() -> RetryBudgets.destination("http", null, 1));
    }

    @Test
    void maxDestinationsMustBeAtLeastOne() {
        assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(() -> tenRetriesEach(0))
                .withMessage("Invalid budget.max-destinations (0): must be at least 1")
                .satisfies(ex -> assertThat(ex.setting()).isEqualTo("budget.max-destinations"));
        assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(() -> RetryBudgets.of(key -> RetryBudget.unlimited(), -5))
                .withMessage("Invalid budget.max-destinations (-5): must be at least 1");
        assertThat(tenRetriesEach(1).maxDestinations()).isEqualTo(1);
    }

    @Test
    void windowedSettingsAreCheckedAtOnce() {
        assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(() -> RetryBudgets.windowed(-1, 1, clock, 10))
                .withMessageContaining("budget.ratio");
        assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(() -> RetryBudgets.windowed(0.1, -1, clock, 10))
                .withMessageContaining("budget.min-retries-per-second");
    }

    @Test
    void sameDestinationSameBudgetAndOneHostsOutageNeverSpendsAnothers() {
        RetryBudgets budgets = tenRetriesEach(RetryBudgets.DEFAULT_MAX_DESTINATIONS);
        RetryBudget a = budgets.forDestination("https://a:443");
        assertThat(budgets.forDestination("https://a:443")).isSameAs(a);
        assertThat(drain(a)).isEqualTo(10);
        assertThat(budgets.forDestination("https://a:443").tryAcquireRetry()).isFalse();

        RetryBudget b = budgets.forDestination("https://b:443");
        assertThat(b).isNotSameAs(a);
        assertThat(b.available()).isEqualTo(10);
        assertThat(drain(b)).isEqualTo(10);
        assertThat(budgets.forDestination("https://c:443").tryAcquireRetry()).isTrue();
        assertThat(budgets.size()).isEqualTo(3);
    }

    @Test
    void leastRecentlyUsedIsDroppedFirstAndComesBackAfresh() {
        RetryBudgets budgets = tenRetriesEach(3);
        RetryBudget a = budgets.forDestination("a");
        drain(a);
        budgets.forDestination("b");
        budgets.forDestination("c");
        assertThat(budgets.byRecency()).containsExactly("a", "b", "c");
        // using a makes b the eldest
        assertThat(budgets.forDestination("a")).isSameAs(a);
        assertThat(budgets.byRecency()).containsExactly("b", "c", "a");
        budgets.forDestination("d");
        assertThat(budgets.byRecency()).containsExactly("c", "a", "d");
        assertThat(budgets.size()).isEqualTo(3);
        // reading the most recent one again changes nothing
        budgets.forDestination("d");
        assertThat(budgets.byRecency()).containsExactly("c", "a", "d");
        budgets.forDestination("c");
        budgets.forDestination("e");
        assertThat(budgets.byRecency()).containsExactly("d", "c", "e");
        // a, exhausted when dropped, starts afresh
        RetryBudget again = budgets.forDestination("a");
        assertThat(again).isNotSameAs(a);
        assertThat(again.available()).isEqualTo(10);
        assertThat(budgets.byRecency()).containsExactly("c", "e", "a");
    }

    @Test
    void oneDestinationAtMost() {
        RetryBudgets budgets = tenRetriesEach(1);
        RetryBudget a = budgets.forDestination("a");
        assertThat(budgets.forDestination("a")).isSameAs(a);
        budgets.forDestination("b");
        assertThat(budgets.byRecency()).containsExactly("b");
        assertThat(budgets.forDestination("a")).isNotSameAs(a);
        assertThat(budgets.size()).isOne();
    }

    @Test
    void tenThousandDestinationsKeepTheLatestThousand() {
        RetryBudgets budgets = tenRetriesEach(RetryBudgets.DEFAULT_MAX_DESTINATIONS);
        for (int i = 0; i < 10_000; i++) {
            budgets.forDestination(RetryBudgets.destination("https", "host-" + i + ".example.com", -1));
            assertThat(budgets.size()).isLessThanOrEqualTo(1000);
        }
        assertThat(budgets.size()).isEqualTo(1000);
        List<String> expected = IntStream.range(9_000, 10_000).mapToObj(i -> "https://host-" + i + ".example.com:443").toList();
        assertThat(budgets.byRecency()).isEqualTo(expected);
        assertThat(budgets.snapshot(Integer.MAX_VALUE)).extracting(DestinationBudget::destination).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void leastAvailableIsTheLowestAmongDestinations() {
        RetryBudgets budgets = tenRetriesEach(10);
        // no destination yet: what a fresh budget would grant
        assertThat(budgets.leastAvailable()).isEqualTo(10);
        assertThat(budgets.size()).isZero();
        budgets.forDestination("a").tryAcquireRetry();
        budgets.forDestination("b");
        assertThat(budgets.leastAvailable()).isEqualTo(9);
        drain(budgets.forDestination("c"));
        assertThat(budgets.leastAvailable()).isZero();
        // the windows roll over
        clock.setMillis(T0 + 20_000);
        assertThat(budgets.leastAvailable()).isEqualTo(10);
    }

    @Test
    void leastAvailableOfUnlimitedBudgetsIsUnlimited() {
        RetryBudgets budgets = RetryBudgets.of(key -> RetryBudget.unlimited(), 5);
        assertThat(budgets.leastAvailable()).isEqualTo(Long.MAX_VALUE);
        budgets.forDestination("a");
        assertThat(budgets.leastAvailable()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void snapshotListsTheLowestFirstAndAtMostTheLimit() {
        RetryBudgets budgets = tenRetriesEach(10);
        assertThat(budgets.snapshot(5)).isEmpty();
        budgets.forDestination("full");
        RetryBudget seven = budgets.forDestination("seven");
        for (int i = 0; i < 3; i++) {
            seven.tryAcquireRetry();
        }
        drain(budgets.forDestination("empty"));
        budgets.forDestination("nine").tryAcquireRetry();
        budgets.forDestination("also-full");

        assertThat(budgets.snapshot(10)).containsExactly(new DestinationBudget("empty", 0), new DestinationBudget("seven", 7),
                new DestinationBudget("nine", 9), new DestinationBudget("also-full", 10), new DestinationBudget("full", 10));
        assertThat(budgets.snapshot(2)).containsExactly(new DestinationBudget("empty", 0), new DestinationBudget("seven", 7));
        assertThat(budgets.snapshot(0)).isEmpty();
        assertThatIllegalArgumentException().isThrownBy(() -> budgets.snapshot(-1)).withMessage("Invalid limit (-1): must be zero or positive");
        // reading does not count as use
        assertThat(budgets.byRecency()).containsExactly("full", "seven", "empty", "nine", "also-full");
    }

    @Test
    void disabledSharesTheUnlimitedBudgetAndStoresNothing() {
        RetryBudgets budgets = RetryBudgets.disabled();
        assertThat(budgets.enabled()).isFalse();
        for (int i = 0; i < 10_000; i++) {
            assertThat(budgets.forDestination("host-" + i)).isSameAs(RetryBudget.unlimited());
        }
        assertThat(budgets.size()).isZero();
        assertThat(budgets.leastAvailable()).isEqualTo(Long.MAX_VALUE);
        assertThat(budgets.snapshot(100)).isEmpty();
        assertThat(budgets).hasToString("RetryBudgets[disabled]");
        assertThatNullPointerException().isThrownBy(() -> budgets.forDestination(null));
    }

    @Test
    void factoryFailureKeepsNothing() {
        AtomicInteger calls = new AtomicInteger();
        RetryBudgets budgets = RetryBudgets.of(key -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("boom");
            }
            return key.equals("null") ? null : new CountingBudget(true);
        }, 3);
        assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> budgets.forDestination("a"));
        assertThat(budgets.size()).isZero();
        assertThat(budgets.forDestination("a")).isInstanceOf(CountingBudget.class);
        assertThatNullPointerException().isThrownBy(() -> budgets.forDestination("null")).withMessageContaining("null");
        assertThat(budgets.byRecency()).containsExactly("a");
        assertThat(budgets.enabled()).isTrue();
        assertThat(budgets).hasToString("RetryBudgets[1 of at most 3 destinations]");
    }

    /** Many threads, on a few shared and many distinct destinations: no exception, the cap holds, map and list agree. */
    @Test
    void concurrentUseKeepsTheCapAndTheBookkeeping() throws Exception {
        int threads = 8;
        int max = 50;
        RetryBudgets budgets = RetryBudgets.windowed(0.1, 1, clock, max);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger maxSeen = new AtomicInteger();
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = Seeds.runSeed() + t;
                Callable<Integer> task = () -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    start.await();
                    int granted = 0;
                    for (int i = 0; i < 50_000; i++) {
                        String key = switch (random.nextInt(4)) {
                            case 0 -> "hot";
                            case 1 -> "warm-" + random.nextInt(10);
                            default -> "cold-" + random.nextInt(5_000);
                        };
                        RetryBudget budget = budgets.forDestination(key);
                        budget.recordFirstAttempt();
                        if (budget.tryAcquireRetry()) {
                            granted++;
                        }
                        if ((i & 255) == 0) {
                            maxSeen.accumulateAndGet(budgets.size(), Math::max);
                            budgets.leastAvailable();
                            assertThat(budgets.snapshot(5)).hasSizeLessThanOrEqualTo(5);
                        }
                    }
                    return granted;
                };
                results.add(pool.submit(task));
            }
            start.countDown();
            for (Future<Integer> result : results) {
                assertThat(result.get(2, TimeUnit.MINUTES)).isPositive();
            }
        }
        finally {
            pool.shutdownNow();
        }
        assertThat(maxSeen.get()).isLessThanOrEqualTo(max);
        assertThat(budgets.size()).isEqualTo(max);
        List<String> order = budgets.byRecency();
        assertThat(order).hasSize(max).doesNotHaveDuplicates();
        Set<String> kept = new HashSet<>();
        budgets.snapshot(Integer.MAX_VALUE).forEach(entry -> kept.add(entry.destination()));
        assertThat(kept).containsExactlyInAnyOrderElementsOf(order);
    }

    /** Distinct threads each on their own destinations: one exhausting its budgets never touches another's. */
    @Test
    void concurrentOutageOfOneHostLeavesTheOthersWhole() throws Exception {
        RetryBudgets budgets = tenRetriesEach(100);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                String key = "host-" + t;
                boolean outage = t == 0;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 10_000; i++) {
                        RetryBudget budget = budgets.forDestination(outage ? key : key + "-" + (i % 20));
                        if (outage) {
                            budget.tryAcquireRetry();
                        }
                    }
                }));
            }
            for (Future<?> future : done) {
                future.get(1, TimeUnit.MINUTES);
            }
        }
        finally {
            pool.shutdownNow();
        }
        assertThat(budgets.forDestination("host-0").available()).isZero();
        assertThat(budgets.snapshot(100)).hasSize(61).filteredOn(entry -> !entry.destination().equals("host-0"))
                .allSatisfy(entry -> assertThat(entry.available()).isEqualTo(10));
        assertThat(budgets.leastAvailable()).isZero();
    }

    /**
     * A rough heap figure per destination kept (windowed budget, key and bookkeeping), printed for
     * the record, and a rough cost of the hot path. Neither is asserted tightly: figures belong to
     * benchmarks.
     */
    @Test
    void roughHeapPerDestination() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        int n = RetryBudgets.DEFAULT_MAX_DESTINATIONS;
        long before = settledHeap(memory);
        RetryBudgets budgets = RetryBudgets.windowed(0.1, 10, MonotonicClock.INSTANCE, n);
        for (int i = 0; i < n; i++) {
            budgets.forDestination(RetryBudgets.destination("https", "host-" + i + ".example.com", -1));
        }
        long after = settledHeap(memory);
        long perDestination = (after - before) / n;
        System.out.println("RetryBudgets: about " + perDestination + " bytes of heap per destination (windowed budget, key "
                + "'https://host-NNN.example.com:443', map and list entries), " + n + " destinations");
        assertThat(budgets.size()).isEqualTo(n);

        String[] keys = { "https://a:443", "https://b:443" };
        for (int round = 0; round < 3; round++) {
            long same = System.nanoTime();
            for (int i = 0; i < 2_000_000; i++) {
                budgets.forDestination(keys[0]);
            }
            long alternating = System.nanoTime();
            for (int i = 0; i < 2_000_000; i++) {
                budgets.forDestination(keys[i & 1]);
            }
            long end = System.nanoTime();
            if (round == 2) {
                System.out.println("RetryBudgets.forDestination, one thread: " + (alternating - same) / 2_000_000 + " ns on the same "
                        + "destination, " + (end - alternating) / 2_000_000 + " ns alternating two");
            }
        }
    }

    private static long settledHeap(MemoryMXBean memory) {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
