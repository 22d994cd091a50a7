package dev.httpretry.benchmarks.soak;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

import dev.httpretry.actuate.RetryStatistics;
import dev.httpretry.core.StopReason;
import dev.httpretry.micrometer.RetryMetrics;
import dev.httpretry.webclient.RetryExchangeFilterFunction;
import io.netty.util.ResourceLeakDetector;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.web.reactive.function.client.WebClient;

/**
 * The chaos and leak soak: thousands of GET, PUT and POST calls through a {@link WebClient} with the
 * starter's {@link RetryExchangeFilterFunction}, against a {@link ChaosServer} and, for a share of
 * attempts, a port where nothing listens; over a bounded connection pool with metrics, with Netty's
 * leak detector at {@code PARANOID}.
 *
 * <p>Use: {@link #run()} issues the calls, then {@link #acquiredConnections()} can be awaited to
 * reach zero, then {@link #report(Run)} gathers every count; {@link #close()} restores the leak
 * level and the Reactor hooks and stops the server and the pool. Not thread-safe: one soak at a time.
 */
public final class ChaosSoak implements AutoCloseable {

    /** The request attribute that carries a call's number, from the caller down to each of its attempts. */
    static final String CALL_INDEX = ChaosSoak.class.getName() + ".call";

    /** Calls made after {@link System#gc()}, so the leak detector reports what the collector found. */
    private static final int SURFACING_CALLS = 32;

    private final SoakSettings settings;

    private final ResourceLeakDetector.Level previousLeakLevel;

    private final SoakLogs logs = new SoakLogs();

    private final DroppedSignals dropped = new DroppedSignals();

    private final Clock clock = Clock.systemUTC();

    private final ChaosServer server;

    private final AttemptFilter attempts;

    private final SoakCalls calls;

    private final SoakClient client;

    /**
     * Starts the server, the pool and the client, and turns on the leak detector at {@code PARANOID}.
     * @param settings the soak's knobs
     */
    public ChaosSoak(SoakSettings settings) {
        this.settings = settings;
        this.previousLeakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        this.logs.attach();
        this.dropped.install();
        this.server = new ChaosServer(settings.serverFaults(), settings.seed(), this.clock);
        this.attempts = new AttemptFilter(settings, this.clock, this.dropped);
        this.calls = new SoakCalls(settings, this.server);
        this.client = new SoakClient(settings, this.server.url(), this.calls.recordFinalStatus(), this.attempts);
    }

    /**
     * Issues every call, at most {@code concurrency} at once, and waits for each to end (bounded by
     * {@code maxRunTime}); then collects garbage and makes a few calm calls so that the leak detector
     * reports any buffer the collector found unreleased.
     * @return what the callers saw
     */
    public Run run() {
        int calls = this.settings.calls();
        AtomicIntegerArray states = new AtomicIntegerArray(calls);
        AtomicLongArray durations = new AtomicLongArray(calls);
        CallerCounts counts = new CallerCounts();
        WebClient webClient = this.client.webClient();
        long start = System.nanoTime();
        @Nullable Throwable runError = null;
        try {
            Flux.range(0, calls)
                .flatMap((i) -> this.calls.call(webClient, i, states, durations, counts), this.settings.concurrency(), 1)
                .then()
                .block(this.settings.maxRunTime());
        }
        catch (RuntimeException ex) {
            runError = ex;
        }
        long elapsed = System.nanoTime() - start;
        RetryStatistics.Snapshot afterCalls = this.client.statistics();
        long attemptsAfterCalls = this.attempts.attemptsSent();
        CallTally tally = this.client.tally();
        Map<StopReason, Long> reasonsAfterCalls = tally.reasons();
        double meteredCalls = this.client.meteredCalls();
        Map<String, Long> attemptsByCategory = tally.attempts();
        int surfacing = surfaceLeaks();
        return new Run(calls, states, durations, counts, elapsed, runError, afterCalls, attemptsAfterCalls,
                reasonsAfterCalls, tally.byMethod(), attemptsByCategory, (long) meteredCalls, surfacing);
    }

    /** After the run: collect garbage twice, each time followed by calm calls, so leak reports surface. */
    private int surfaceLeaks() {
        int made = 0;
        for (int r = 0; r < 2; r++) {
            int round = r;
            System.gc();
            made += Flux.range(0, SURFACING_CALLS / 2)
                .concatMap((i) -> this.client.webClient().get()
                    .uri("/calm/{i}", i)
                    .header(ChaosServer.CALL_ID, "calm-" + round + "-" + i)
                    .header(ChaosServer.CALM, "true")
                    .retrieve()
                    .bodyToMono(String.class)
                    .onErrorResume((error) -> Mono.empty()))
                .count()
                .blockOptional(Duration.ofSeconds(30))
                .orElse(0L)
                .intValue();
        }
        return made;
    }

    /**
     * Connections the pools hand out right now, over every remote address (the server's and the closed port's).
     * @return the acquired connections
     */
    public int acquiredConnections() {
        return this.client.acquiredConnections();
    }

    /**
     * Gathers every count after a run.
     * @param run what {@link #run()} returned
     * @return the report
     */
    public SoakReport report(Run run) {
        int calls = run.calls();
        int pending = 0;
        for (int i = 0; i < calls; i++) {
            if (run.states().get(i) == CallerCounts.PENDING) {
                pending++;
            }
        }
        long[] durations = new long[calls];
        for (int i = 0; i < calls; i++) {
            durations[i] = run.durations().get(i);
        }
        Arrays.sort(durations);
        // Per call id, what reached the server
        long unsafePostsDuplicated = 0;
        long unsafePostsSeen = 0;
        long keyedPostsResent = 0;
        long receivedMoreThanSent = 0;
        Map<String, long[]> resentByMethod = new TreeMap<>();
        for (int i = 0; i < calls; i++) {
            ChaosServer.Received received = this.server.received("call-" + i);
            if (received == null) {
                continue;
            }
            // one request per attempt: a request no attempt of the call made would be the connector's own
            if (received.count() > this.attempts.attemptsToServer(i)) {
                receivedMoreThanSent++;
            }
            String group = received.method() + (received.method().equals("POST") ? (received.idempotencyKey() ? " with key" : " without key") : "");
            long[] counts = resentByMethod.computeIfAbsent(group, (k) -> new long[2]);
            counts[0]++;
            if (received.count() > 1) {
                counts[1]++;
            }
            if (received.method().equals("POST") && !received.idempotencyKey()) {
                unsafePostsSeen++;
                if (received.count() > 1) {
                    unsafePostsDuplicated++;
                }
            }
            else if (received.method().equals("POST") && received.count() > 1) {
                keyedPostsResent++;
            }
        }
        Map<String, Long> failureKinds = new TreeMap<>();
        run.counts().failureKinds.forEach((kind, count) -> failureKinds.put(kind, count.sum()));
        Map<String, Long> warningsByLogger = this.logs.warningsByLogger();
        long leakReports = this.logs.leakReports();
        Map<FaultKind, Long> byFault = new EnumMap<>(this.server.requestsByFault());
        byFault.put(FaultKind.REFUSED, this.attempts.refused());
        return new SoakReport(this.settings, calls, run.counts().issued.sum(), run.counts().successes.sum(),
                run.counts().failures.sum(), run.counts().hung.sum(), run.counts().doubleSignals.sum(), pending,
                failureKinds, new TreeMap<>(run.counts().unexpected), run.statistics(), run.reasonsAfterCalls(), run.reasonsByMethod(), run.attemptsByCategory(), run.meteredCalls(), run.attempts(),
                this.server.requests(), this.server.requestsWithoutCallId(), receivedMoreThanSent, this.attempts.retriedBeforeRetryAfter(), byFault, unsafePostsSeen,
                unsafePostsDuplicated, keyedPostsResent, resentByMethod, leakReports, acquiredConnections(),
                this.client.pools(), this.server.bodiesWhole(), this.server.bodiesWrong(),
                this.client.destinations(), this.dropped.droppedErrors(), this.dropped.serverDroppedErrors(), this.dropped.droppedValues(),
                this.dropped.connectorDroppedConnections(), this.dropped.droppedValueTypes(), this.dropped.samples(), this.client.hedges(),
                warningsByLogger, run.surfacingCalls(), run.elapsedNanos(), durations, run.error());
    }

    @Override
    public void close() {
        this.logs.detach();
        this.dropped.uninstall();
        ResourceLeakDetector.setLevel(this.previousLeakLevel);
        this.client.close();
        this.server.close();
        this.attempts.close();
    }

    /**
     * What {@link #run()} saw.
     * @param calls calls meant to be issued
     * @param states each call's end: pending, success or failure
     * @param durations each call's duration in nanoseconds
     * @param counts the callers' counts
     * @param elapsedNanos the run's wall time
     * @param error what cut the run short, if anything
     * @param statistics the filter's {@link RetryStatistics} right after the calls
     * @param attempts attempts that went through the connector filter, right after the calls
     * @param reasonsAfterCalls call ends by reason, from the soak's listener
     * @param reasonsByMethod call ends by method and reason
     * @param attemptsByCategory attempts by category, method and decision, from the soak's listener
     * @param meteredCalls the sum of the {@value RetryMetrics#CALLS} counters right after the calls
     * @param surfacingCalls calm calls made after the collection
     */
    public record Run(int calls, AtomicIntegerArray states, AtomicLongArray durations, CallerCounts counts, long elapsedNanos,
            @Nullable Throwable error, RetryStatistics.Snapshot statistics, long attempts, Map<StopReason, Long> reasonsAfterCalls,
            Map<String, Long> reasonsByMethod, Map<String, Long> attemptsByCategory, long meteredCalls, int surfacingCalls) {
    }
}
