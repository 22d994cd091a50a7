package dev.httpretry.benchmarks.soak;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * The knobs of one chaos soak. {@link #fromSystemProperties()} reads {@code soak.calls},
 * {@code soak.concurrency}, {@code soak.seed}, {@code soak.budgetRatio}, {@code soak.maxSeconds} and {@code soak.hedgingDelayMillis}
 * over {@link #defaults()}.
 *
 * @param calls logical calls to issue (a third each GET, PUT and POST)
 * @param concurrency calls in flight at once; also the connection pool's size
 * @param seed seeds every random choice (the server's faults, the client's refused attempts)
 * @param serverFaults the relative weight of each answer the server gives (every kind but {@link FaultKind#REFUSED})
 * @param refusedPercent the share of attempts, in percent, sent to a closed port instead of the server
 * @param maxAttempts the policy's {@code max-attempts}
 * @param initialDelay the policy's {@code backoff.initial-delay}
 * @param maxDelay the policy's {@code backoff.max-delay}
 * @param attemptTimeout the policy's {@code attempt-timeout}
 * @param deadline the policy's {@code deadline}
 * @param connectionRefusedMinDelay the policy's {@code connection-refused-min-delay}
 * @param budgetRatio the policy's {@code budget.ratio} (the budget stays enabled)
 * @param budgetMinRetriesPerSecond the policy's {@code budget.min-retries-per-second}
 * @param maxRunTime the whole run is cut (and fails) after this long
 * @param hedgingDelay the policy's {@code hedging.delay} ({@code max-hedges} 1); zero leaves hedging off
 */
public record SoakSettings(int calls, int concurrency, long seed, Map<FaultKind, Integer> serverFaults, int refusedPercent,
        int maxAttempts, Duration initialDelay, Duration maxDelay, Duration attemptTimeout, Duration deadline,
        Duration connectionRefusedMinDelay, double budgetRatio, int budgetMinRetriesPerSecond, Duration maxRunTime,
        Duration hedgingDelay) {

    /** Copies the fault weights and checks them. */
    public SoakSettings {
        serverFaults = Map.copyOf(serverFaults);
        if (serverFaults.containsKey(FaultKind.REFUSED)) {
            throw new IllegalArgumentException("REFUSED is chosen by the client per attempt (refusedPercent), not by the server");
        }
        if (serverFaults.values().stream().mapToInt(Integer::intValue).sum() <= 0) {
            throw new IllegalArgumentException("Invalid server fault weights (" + serverFaults + "): need a positive total");
        }
        if (calls < 1 || concurrency < 1 || refusedPercent < 0 || refusedPercent > 100) {
            throw new IllegalArgumentException("Invalid calls (" + calls + "), concurrency (" + concurrency
                    + ") or refusedPercent (" + refusedPercent + ")");
        }
    }

    /**
     * The reduced soak of {@code mvn verify}: 5,000 calls at concurrency 64, and a policy tuned for
     * speed, hedging after 100 ms (the slow answers and those at the attempt timeout get a second
     * copy). Most answers are {@code 200}; about one attempt in four meets a fault.
     * @return the defaults
     */
    public static SoakSettings defaults() {
        Map<FaultKind, Integer> faults = new EnumMap<>(FaultKind.class);
        faults.put(FaultKind.OK, 70);
        faults.put(FaultKind.UNAVAILABLE, 8);
        faults.put(FaultKind.RATE_LIMITED_DELTA, 4);
        faults.put(FaultKind.RATE_LIMITED_DATE, 2);
        faults.put(FaultKind.RESET_MID_RESPONSE, 6);
        faults.put(FaultKind.CLOSED_BEFORE_HEADERS, 4);
        faults.put(FaultKind.SLOW, 3);
        faults.put(FaultKind.AT_TIMEOUT, 3);
        faults.put(FaultKind.STALLED_BODY, 1);
        faults.put(FaultKind.ENDLESS_BODY, 1);
        faults.put(FaultKind.UNAVAILABLE_THEN_CLOSED, 2);
        return new SoakSettings(5_000, 64, 0x5eed_50a4L, faults, 5,
                4, Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofSeconds(5),
                Duration.ofMillis(20), 0.5, 10, Duration.ofMinutes(10), Duration.ofMillis(100));
    }

    /**
     * The defaults, with {@code soak.calls}, {@code soak.concurrency}, {@code soak.seed},
     * {@code soak.budgetRatio}, {@code soak.maxSeconds} and {@code soak.hedgingDelayMillis} taken from system properties when set.
     * @return the settings
     */
    public static SoakSettings fromSystemProperties() {
        SoakSettings d = defaults();
        return new SoakSettings(Integer.getInteger("soak.calls", d.calls()),
                Integer.getInteger("soak.concurrency", d.concurrency()), Long.getLong("soak.seed", d.seed()),
                d.serverFaults(), d.refusedPercent(), d.maxAttempts(), d.initialDelay(), d.maxDelay(), d.attemptTimeout(),
                d.deadline(), d.connectionRefusedMinDelay(),
                Double.parseDouble(System.getProperty("soak.budgetRatio", String.valueOf(d.budgetRatio()))),
                d.budgetMinRetriesPerSecond(),
                Duration.ofSeconds(Long.getLong("soak.maxSeconds", d.maxRunTime().toSeconds())),
                Duration.ofMillis(Long.getLong("soak.hedgingDelayMillis", d.hedgingDelay().toMillis())));
    }
}
