package dev.httpretry.sample;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.httpretry.core.StopReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Makes the same calls to the {@link FlakyUpstream} once per {@link DemoRow}, one row after the
 * other, and reports what each achieved. The first row sends each call once; each other row retries
 * under a client of its own, so that rows differ only by what they compare. A row that shares its
 * client with the row before it on purpose says so in its note.
 *
 * <p>The rows are made by the app's web stack: {@link WebFluxDemoConfiguration} (the default run)
 * compares a plain {@code WebClient} with retrying {@code WebClient}s and {@code RestClient}s;
 * {@link MvcDemoConfiguration} (profile {@code mvc}) calls through HTTP service groups.
 *
 * <p>Thread-safe; demonstrations may run concurrently (the stop reasons of concurrent runs mix).
 */
public final class Demo {

    /** The label of the row without retries. */
    public static final String PLAIN = "plain (no retry)";

    private static final int WARM_UP_CALLS = 50;

    private static final Logger logger = LoggerFactory.getLogger(Demo.class);

    private final List<DemoRow> rows;

    private final FlakyUpstream flakyUpstream;

    private final StopReasons stopReasons;

    private final LocalServer server;

    private final int progressEvery;

    private final AtomicBoolean warmedUp = new AtomicBoolean();

    /**
     * Creates the demonstration.
     * @param rows the rows, in the order they run and are printed, the plain one first
     * @param flakyUpstream the upstream, to count what it received
     * @param stopReasons why the retrying calls stopped
     * @param server this app's server, for the hints in the logs
     * @param progressEvery log a progress line after this many calls
     */
    public Demo(List<DemoRow> rows, FlakyUpstream flakyUpstream, StopReasons stopReasons, LocalServer server,
            int progressEvery) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("A demo needs at least one row");
        }
        this.rows = List.copyOf(rows);
        this.flakyUpstream = Objects.requireNonNull(flakyUpstream, "flakyUpstream");
        this.stopReasons = Objects.requireNonNull(stopReasons, "stopReasons");
        this.server = Objects.requireNonNull(server, "server");
        this.progressEvery = Math.max(1, progressEvery);
    }

    /**
     * The rows, in the order they run.
     * @return the rows
     */
    public List<DemoRow> rows() {
        return this.rows;
    }

    /**
     * Runs the demonstration: each row's calls, one row after the other.
     * @param request how many calls, how many at a time, and how the upstream misbehaves
     * @return the report, once every row ended
     */
    public Mono<DemoReport> run(DemoRequest request) {
        return warmUp().thenMany(Flux.fromIterable(this.rows).concatMap((row) -> run(row, request)))
            .collectList()
            .map((runs) -> new DemoReport(request.calls(), request.concurrency(), request.scenario(), runs));
    }

    /**
     * Before the first demonstration, a few healthy calls of the first row that are not measured, so
     * that class loading and JIT compilation do not land on one row's latencies alone.
     */
    private Mono<Void> warmUp() {
        return Mono.defer(() -> {
            if (!this.warmedUp.compareAndSet(false, true)) {
                return Mono.empty();
            }
            UpstreamCall call = this.rows.get(0).call();
            return Flux.range(0, WARM_UP_CALLS).flatMap((i) -> call.call("warm-up", Scenario.HEALTHY), 10).then();
        });
    }

    private Mono<RunResult> run(DemoRow row, DemoRequest request) {
        return Mono.defer(() -> {
            String label = row.label();
            String client = row.retryClient();
            String run = this.flakyUpstream.openRun(label);
            Map<StopReason, Long> before = (client != null) ? this.stopReasons.snapshot(client) : Map.of();
            AtomicInteger done = new AtomicInteger();
            AtomicInteger successes = new AtomicInteger();
            logger.info("{}: {} calls, {} at a time ...", label, request.calls(), request.concurrency());
            return Flux.range(0, request.calls())
                .flatMap((i) -> row.call().call(run, request.scenario()), request.concurrency())
                .doOnNext((call) -> {
                    int ok = call.success() ? successes.incrementAndGet() : successes.get();
                    int count = done.incrementAndGet();
                    if (count % this.progressEvery == 0 || count == request.calls()) {
                        logger.info("{}: {}/{} calls done, {} succeeded", label, count, request.calls(), ok);
                    }
                })
                .collectList()
                .map((calls) -> {
                    Map<String, Long> reasons = (client != null)
                            ? StopReasons.between(before, this.stopReasons.snapshot(client)) : Map.of();
                    return RunResult.of(label, calls, this.flakyUpstream.closeRun(run), reasons, row.note());
                })
                .doFinally((signal) -> this.flakyUpstream.closeRun(run));
        });
    }

    /**
     * The URL of this app's server, for hints in the logs.
     * @return {@code http://localhost:<port>}
     * @throws IllegalStateException if the server has not started
     */
    public String serverUrl() {
        return this.server.url();
    }
}
