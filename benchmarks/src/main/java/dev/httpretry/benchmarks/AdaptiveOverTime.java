package dev.httpretry.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import dev.httpretry.autoconfigure.HttpRetryProperties;
import dev.httpretry.core.MonotonicClock;
import dev.httpretry.core.RetryThrottledException;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * What {@code adaptive.enabled} does over time against a destination that pushes back, second by
 * second, beside the same client without it. Callers arrive at a steady rate (open loop: a new call
 * every few milliseconds whatever the others are doing), each one GET through the retry filter at the
 * starter's defaults (max-attempts 4, backoff 1 s doubling to 30 s with full jitter, deadline 15 s,
 * budget on), a fresh client per run, the two contenders interleaved over {@code reps} repetitions.
 * Two scenarios:
 * <ul>
 * <li>{@code overload}: a server that accepts {@code capacity} requests per second (a token bucket
 * {@code burst} deep) and answers 429, without {@code Retry-After}, beyond that; callers arrive at
 * twice the capacity for {@code seconds}.</li>
 * <li>{@code outage}: a server that answers every request 503 for the first {@code outage-seconds},
 * then 200 at once; callers arrive at {@code capacity} per second for {@code seconds}: how fast the
 * learned rate lets the calls through again after the destination heals.</li>
 * </ul>
 * Per second: requests the server accepted and rejected, calls that succeeded and were throttled (by
 * the second they ended), the learned rate, and the latency of the calls that succeeded.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am verify -DskipTests -Dbench=AdaptiveOverTime [-Dbench.args="--scenario overload --reps 3"]
 * mvn -B -q -pl benchmarks -am verify -DskipTests -Dbench=AdaptiveOverTime -Dbench.args="--scenario outage --reps 3"
 * </pre>
 *
 * <p>Arguments (all optional): {@code --scenario overload --capacity 200 --burst 10 --seconds 30
 * --outage-seconds 10 --reps 3 --out results}.
 */
public final class AdaptiveOverTime {

    static final String PLAIN = "defaults";

    static final String ADAPTIVE = "defaults + adaptive";

    /** Arrivals are released in ticks of this length. */
    private static final long TICK_MILLIS = 10;

    private AdaptiveOverTime() {
    }

    /** One second of one run; calls are counted in the second they ended. */
    static final class Second {

        long accepted;

        long rejected;

        long arrived;

        long succeeded;

        long throttled;

        long failed;

        double rate = Double.NaN;

        final List<Long> latencies = new ArrayList<>();

        double latencyMillis(double quantile) {
            long[] sorted = this.latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            return Stats.percentile(sorted, quantile) / 1e6;
        }
    }

    /**
     * One run.
     * @param contender which client
     * @param seconds second by second
     * @param latencies every successful call's latency, in nanoseconds
     * @param failures the calls that failed, by what they failed with
     */
    record Run(String contender, List<Second> seconds, long[] latencies, Map<String, Long> failures) {

        long total(java.util.function.ToLongFunction<Second> value, int from, int to) {
            return this.seconds.subList(Math.min(from, this.seconds.size()), Math.min(to, this.seconds.size())).stream()
                .mapToLong(value).sum();
        }

        long total(java.util.function.ToLongFunction<Second> value) {
            return total(value, 0, this.seconds.size());
        }
    }

    /** A loopback server that accepts requests by a token bucket, or not at all for a while, and counts by second. */
    static final class PushingBackServer implements AutoCloseable {

        private final double capacity;

        private final double burst;

        private final long outageNanos;

        private final DisposableServer server;

        private double tokens;

        private long refilledAt;

        private volatile long start;

        private final AtomicLongArray accepted = new AtomicLongArray(600);

        private final AtomicLongArray rejected = new AtomicLongArray(600);

        /**
         * @param capacity requests accepted per second ({@code <= 0}: all)
         * @param burst how many may come at once
         * @param outage how long every request is answered 503 from {@link #restart()}
         */
        PushingBackServer(double capacity, double burst, Duration outage) {
            this.capacity = capacity;
            this.burst = burst;
            this.outageNanos = outage.toNanos();
            this.server = HttpServer.create().host("127.0.0.1").port(0).handle(this::handle).bindNow();
            restart();
        }

        synchronized void restart() {
            this.start = System.nanoTime();
            this.tokens = this.burst;
            this.refilledAt = this.start;
            for (int i = 0; i < this.accepted.length(); i++) {
                this.accepted.set(i, 0);
                this.rejected.set(i, 0);
            }
        }

        String url() {
            return "http://127.0.0.1:" + this.server.port();
        }

        private synchronized boolean admit(long now) {
            if (now - this.start < this.outageNanos) {
                return false;
            }
            if (this.capacity <= 0) {
                return true;
            }
            this.tokens = Math.min(this.burst, this.tokens + (now - this.refilledAt) / 1e9 * this.capacity);
            this.refilledAt = now;
            if (this.tokens < 1) {
                return false;
            }
            this.tokens -= 1;
            return true;
        }

        private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
            if (("/" + request.path()).equals(LoopbackServer.WARM_UP_PATH) || request.path().equals(LoopbackServer.WARM_UP_PATH)) {
                return request.receive().then(Mono.delay(LoopbackServer.WARM_UP_HOLD)).then(response.sendString(Mono.just("warm")).then());
            }
            long now = System.nanoTime();
            int second = (int) Math.min(this.accepted.length() - 1, Math.max(0, (now - this.start) / 1_000_000_000L));
            if (admit(now)) {
                this.accepted.incrementAndGet(second);
                return request.receive().then(response.status(200).sendString(Mono.just("ok")).then());
            }
            this.rejected.incrementAndGet(second);
            int status = (this.outageNanos > 0 && now - this.start < this.outageNanos) ? 503 : 429;
            return request.receive().then(response.status(status).header("Content-Length", "0").send());
        }

        @Override
        public void close() {
            this.server.disposeNow(Duration.ofSeconds(5));
        }
    }

    static HttpRetryProperties properties(boolean adaptive) {
        HttpRetryProperties properties = new HttpRetryProperties();
        properties.getAdaptive().setEnabled(adaptive);
        return properties;
    }

    /**
     * Callers arrive at {@code perSecond} for {@code seconds} through a fresh client; returns when every call has ended.
     */
    static Run run(PushingBackServer server, String contender, int perSecond, int seconds) throws InterruptedException {
        int perTick = (int) (perSecond * TICK_MILLIS / 1000);
        int ticks = (int) (seconds * 1000 / TICK_MILLIS);
        int calls = perTick * ticks;
        List<Second> timeline = new ArrayList<>();
        for (int i = 0; i < seconds + 20; i++) {
            timeline.add(new Second());
        }
        List<Long> latencies = new ArrayList<>();
        Map<String, Long> failures = new java.util.TreeMap<>();
        CountDownLatch ended = new CountDownLatch(calls);
        try (RetryingClient client = new RetryingClient(server.url(), properties(contender.equals(ADAPTIVE)), MonotonicClock.INSTANCE,
                1000)) {
            client.openConnections(64);
            server.restart();
            long start = System.nanoTime();
            Disposable arrivals = Flux.interval(Duration.ZERO, Duration.ofMillis(TICK_MILLIS))
                .take(ticks)
                .subscribe((tick) -> {
                    for (int i = 0; i < perTick; i++) {
                        long t0 = System.nanoTime();
                        synchronized (timeline) {
                            timeline.get(second(t0, start, timeline)).arrived++;
                        }
                        client.webClient.get().uri("/").retrieve().toBodilessEntity().subscribe((entity) -> {
                            long t1 = System.nanoTime();
                            synchronized (timeline) {
                                Second s = timeline.get(second(t1, start, timeline));
                                s.succeeded++;
                                s.latencies.add(t1 - t0);
                                latencies.add(t1 - t0);
                            }
                            ended.countDown();
                        }, (error) -> {
                            long t1 = System.nanoTime();
                            synchronized (timeline) {
                                Second s = timeline.get(second(t1, start, timeline));
                                if (throttled(error)) {
                                    s.throttled++;
                                }
                                else {
                                    s.failed++;
                                }
                                failures.merge(failure(error), 1L, Long::sum);
                            }
                            ended.countDown();
                        });
                    }
                });
            // the learned rate, ten times a second; the value shown for a second is its last
            Thread sampler = new Thread(() -> {
                while (ended.getCount() > 0) {
                    long now = System.nanoTime();
                    double rate = AdaptiveContention.rate(client);
                    synchronized (timeline) {
                        timeline.get(second(now, start, timeline)).rate = rate;
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
                }
            }, "rate-sampler");
            sampler.setDaemon(true);
            sampler.start();
            if (!ended.await(seconds + 120, TimeUnit.SECONDS)) {
                arrivals.dispose();
                throw new IllegalStateException(ended.getCount() + " calls of " + contender + " did not end");
            }
            sampler.join();
            long end = System.nanoTime();
            int last = second(end, start, timeline);
            for (int i = 0; i <= last; i++) {
                timeline.get(i).accepted = server.accepted.get(i);
                timeline.get(i).rejected = server.rejected.get(i);
            }
            return new Run(contender, List.copyOf(timeline.subList(0, last + 1)),
                    latencies.stream().mapToLong(Long::longValue).sorted().toArray(), Map.copyOf(failures));
        }
    }

    private static int second(long now, long start, List<Second> timeline) {
        return (int) Math.min(timeline.size() - 1, Math.max(0, (now - start) / 1_000_000_000L));
    }

    /** What a call failed with: its final status, or its exception. */
    private static String failure(Throwable error) {
        if (error instanceof WebClientResponseException response) {
            return "final " + response.getStatusCode().value();
        }
        return error.getClass().getSimpleName();
    }

    private static boolean throttled(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof RetryThrottledException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs the scenario and prints the tables.
     * @param args the options listed in the class comment
     * @throws Exception if a run fails or the results cannot be written
     */
    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
            .setLevel(ch.qos.logback.classic.Level.WARN);
        Options options = Options.parse(args);
        String scenario = options.string("scenario", "overload");
        int capacity = options.integer("capacity", 200);
        int burst = options.integer("burst", 10);
        int seconds = options.integer("seconds", scenario.equals("overload") ? 30 : 40);
        int outageSeconds = options.integer("outage-seconds", 10);
        int reps = options.integer("reps", 3);
        Path out = Path.of(options.string("out", "results"));
        boolean overload = scenario.equals("overload");
        int perSecond = overload ? 2 * capacity : capacity;
        String name = overload ? "adaptive-overload" : "adaptive-outage";
        String title = overload
                ? String.format(Locale.ROOT, "Steady overload: callers arrive at %d/s for %d s; the server accepts %d/s (bucket of %d) "
                        + "and answers 429 beyond", perSecond, seconds, capacity, burst)
                : String.format(Locale.ROOT, "Outage, then healed: callers arrive at %d/s for %d s; every request answered 503 for the "
                        + "first %d s, then 200", perSecond, seconds, outageSeconds);
        System.out.println(title + "; the starter's defaults (max-attempts 4, backoff 1s..30s full jitter, deadline 15s, "
                + "budget on), with and without adaptive; fresh client per run, " + reps + " repetitions, interleaved");
        List<Run> runs = new ArrayList<>();
        try (PushingBackServer server = overload ? new PushingBackServer(capacity, burst, Duration.ZERO)
                : new PushingBackServer(0, 0, Duration.ofSeconds(outageSeconds))) {
            // warm-up: a few seconds of each, not counted
            run(server, PLAIN, perSecond, 3);
            run(server, ADAPTIVE, perSecond, 3);
            for (int rep = 1; rep <= reps; rep++) {
                for (String contender : List.of(PLAIN, ADAPTIVE)) {
                    Run run = run(server, contender, perSecond, seconds);
                    runs.add(run);
                    System.out.printf(Locale.ROOT, "rep %d %-20s accepted %6d  rejected %6d  succeeded %6d  throttled %6d  "
                            + "other failures %6d  over %d s  failures %s%n", rep, contender, run.total((s) -> s.accepted),
                            run.total((s) -> s.rejected), run.total((s) -> s.succeeded), run.total((s) -> s.throttled),
                            run.total((s) -> s.failed), run.seconds().size(), run.failures());
                }
            }
        }
        StringBuilder csv = new StringBuilder("contender,rep,second,arrived,server_accepted,server_rejected,calls_succeeded,"
                + "calls_throttled,calls_failed_otherwise,learned_rate,success_p50_ms,success_p99_ms\n");
        Map<String, List<Run>> byContender = new LinkedHashMap<>();
        runs.forEach((r) -> byContender.computeIfAbsent(r.contender(), (k) -> new ArrayList<>()).add(r));
        byContender.forEach((contender, mine) -> {
            for (int rep = 0; rep < mine.size(); rep++) {
                List<Second> timeline = mine.get(rep).seconds();
                for (int i = 0; i < timeline.size(); i++) {
                    Second s = timeline.get(i);
                    csv.append(String.format(Locale.ROOT, "\"%s\",%d,%d,%d,%d,%d,%d,%d,%d,%.2f,%.1f,%.1f%n", contender, rep + 1, i,
                            s.arrived, s.accepted, s.rejected, s.succeeded, s.throttled, s.failed, s.rate,
                            s.latencyMillis(0.5), s.latencyMillis(0.99)));
                }
            }
        });
        StringBuilder md = new StringBuilder();
        int from = overload ? 5 : outageSeconds;
        md.append(String.format(Locale.ROOT, "%n| contender | server accepted per second, s %d–%d (median of reps) | of the capacity "
                + "| server rejected (all, median) | rejected per accepted | calls | succeeded | throttled | other failures "
                + "| success p50 (ms) | success p99 (ms) |%n", from, seconds));
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        byContender.forEach((contender, mine) -> {
            double acceptedPerSecond = Stats.median(mine, (r) -> (double) r.total((s) -> s.accepted, from, seconds) / (seconds - from));
            md.append(String.format(Locale.ROOT, "| %s | %.1f | %.3f | %.0f | %.3f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f |%n",
                    contender, acceptedPerSecond, acceptedPerSecond / capacity, Stats.median(mine, (r) -> r.total((s) -> s.rejected)),
                    Stats.median(mine, (r) -> (double) r.total((s) -> s.rejected) / Math.max(1, r.total((s) -> s.accepted))),
                    Stats.median(mine, (r) -> r.total((s) -> s.arrived)), Stats.median(mine, (r) -> r.total((s) -> s.succeeded)),
                    Stats.median(mine, (r) -> r.total((s) -> s.throttled)), Stats.median(mine, (r) -> r.total((s) -> s.failed)),
                    Stats.median(mine, (r) -> Stats.percentile(r.latencies(), 0.5) / 1e6),
                    Stats.median(mine, (r) -> Stats.percentile(r.latencies(), 0.99) / 1e6)));
        });
        System.out.print(md);
        Files.createDirectories(out);
        Files.writeString(out.resolve(name + ".csv"), csv);
        plot(out.resolve(name + ".png"), title, byContender, capacity, overload);
        System.out.println("wrote " + out.resolve(name + ".csv") + " and " + name + ".png");
    }

    /** Per second, the median over the repetitions: the server's answers, the calls' ends, the learned rate, latency. */
    private static void plot(Path png, String title, Map<String, List<Run>> byContender, int capacity, boolean overload) throws IOException {
        List<LinePlot.Series> accepted = new ArrayList<>();
        List<LinePlot.Series> rejected = new ArrayList<>();
        List<LinePlot.Series> latency = new ArrayList<>();
        int length = byContender.values().stream().flatMap(List::stream).mapToInt((r) -> r.seconds().size()).max().orElse(0);
        double[] x = new double[length];
        for (int i = 0; i < length; i++) {
            x[i] = i + 0.5;
        }
        byContender.forEach((contender, mine) -> {
            accepted.add(new LinePlot.Series(contender + ": accepted by the server", x, perSecond(mine, length, (s) -> s.accepted)));
            rejected.add(new LinePlot.Series(contender + ": " + (overload ? "429s" : "503s"), x, perSecond(mine, length, (s) -> s.rejected)));
            rejected.add(new LinePlot.Series(contender + ": calls throttled", x, perSecond(mine, length, (s) -> s.throttled)));
            latency.add(new LinePlot.Series(contender + ": p50", x, perSecond(mine, length, (s) -> s.latencyMillis(0.5))));
            latency.add(new LinePlot.Series(contender + ": p99", x, perSecond(mine, length, (s) -> s.latencyMillis(0.99))));
        });
        List<Run> adaptive = byContender.get(ADAPTIVE);
        if (adaptive != null) {
            accepted.add(new LinePlot.Series("defaults + adaptive: learned rate", x, perSecond(adaptive, length, (s) -> s.rate)));
        }
        accepted.add(new LinePlot.Series((overload ? "server capacity" : "callers' arrivals") + String.format(Locale.ROOT, " (%d/s)",
                capacity), new double[] { 0, length }, new double[] { capacity, capacity }));
        LinePlot.write(png, title, List.of(
                new LinePlot.Panel("Accepted requests and learned rate (per second)", "second", "requests per second", accepted, false),
                new LinePlot.Panel("Rejections and throttled calls (per second)", "second", "per second", rejected, false),
                new LinePlot.Panel("Latency of the calls that succeeded", "second (when the call ended)", "ms", latency, false)));
    }

    private static double[] perSecond(List<Run> runs, int length, java.util.function.ToDoubleFunction<Second> value) {
        double[] y = new double[length];
        for (int i = 0; i < length; i++) {
            int second = i;
            double[] values = runs.stream().filter((r) -> second < r.seconds().size())
                .mapToDouble((r) -> value.applyAsDouble(r.seconds().get(second))).filter((v) -> !Double.isNaN(v)).toArray();
            y[i] = (values.length == 0) ? 0 : Stats.median(values);
        }
        return y;
    }
}
