package dev.httpretry.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import dev.httpretry.autoconfigure.HttpRetryProperties;
import dev.httpretry.core.LearnedDestination;
import dev.httpretry.core.MonotonicClock;
import dev.httpretry.core.RetryClients;
import dev.httpretry.micrometer.RetryMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * {@code hedging.delay: auto} on section 7's workload: a local server (on event loops of its own)
 * answers most requests at once and holds {@code slow-percent} of them (chosen at random per request,
 * seeded) for 1 s. Clients at the defaults otherwise (budget on: ratio 0.1 plus 10 per second), GETs
 * {@code concurrency} at a time, every client built on a monotonic clock as the auto-configuration
 * builds it.
 * <ul>
 * <li>{@code steady}: no hedging, hedging at section 7's best hand-set delay (50 ms), and hedging with
 * {@code delay: auto} (min-delay at its default, 10 ms), {@code rounds} rounds of {@code calls} per
 * client, interleaved, after 500 warm-up calls each; each client is kept across its rounds, so the
 * automatic one keeps what it learned.</li>
 * <li>{@code follow}: one client with {@code delay: auto} (and, for comparison, one at 50 ms) sends
 * without pause for three phases of {@code phase-seconds}: 5% slow, then 20%, then 5% again. The
 * learned delay ({@code LearnedDestinations.snapshot}) four times a second, and per second the p99 of
 * the calls that ended and the server's requests per call.</li>
 * </ul>
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am verify -DskipTests -Dbench=AutoHedgingBenchmark [-Dbench.args="--mode steady --calls 4000 --rounds 3"]
 * mvn -B -q -pl benchmarks -am verify -DskipTests -Dbench=AutoHedgingBenchmark -Dbench.args="--mode follow --phase-seconds 30"
 * </pre>
 */
public final class AutoHedgingBenchmark {

    private static final Duration SLOW = Duration.ofSeconds(1);

    private AutoHedgingBenchmark() {
    }

    /** The server of section 7, with a slow share that can change while it runs, counting requests by second. */
    static final class TailServer implements AutoCloseable {

        final AtomicInteger slowPercent;

        final AtomicLong requests = new AtomicLong();

        final AtomicLongArray requestsBySecond = new AtomicLongArray(3600);

        volatile long start = System.nanoTime();

        private final LoopResources loops = LoopResources.create("hedging-server", 2, true);

        private final DisposableServer server;

        TailServer(int slowPercent, long seed) {
            this.slowPercent = new AtomicInteger(slowPercent);
            SplittableRandom random = new SplittableRandom(seed);
            this.server = HttpServer.create().host("127.0.0.1").port(0).runOn(this.loops)
                .option(io.netty.channel.ChannelOption.SO_BACKLOG, 4096)
                .handle((request, response) -> {
                    this.requests.incrementAndGet();
                    int second = (int) Math.min(this.requestsBySecond.length() - 1, Math.max(0, (System.nanoTime() - this.start) / 1_000_000_000L));
                    this.requestsBySecond.incrementAndGet(second);
                    boolean slow;
                    synchronized (random) {
                        slow = random.nextInt(100) < this.slowPercent.get();
                    }
                    Mono<Void> answer = response.sendString(Mono.just("ok")).then();
                    return slow ? ServerHold.onItsLoop(request, SLOW).then(answer) : answer;
                })
                .bindNow();
        }

        String url() {
            return "http://127.0.0.1:" + this.server.port();
        }

        @Override
        public void close() {
            this.server.disposeNow();
            this.loops.disposeLater().block(Duration.ofSeconds(10));
        }
    }

    /** The defaults, with hedging off, at a fixed delay, or {@code auto}. */
    static HttpRetryProperties properties(String delay) {
        HttpRetryProperties properties = new HttpRetryProperties();
        if (!delay.isEmpty()) {
            properties.getHedging().setEnabled(true);
            properties.getHedging().setDelay(delay);
        }
        return properties;
    }

    /** The learned hedging delay of the client's one destination in milliseconds, or {@code NaN}. */
    static double learnedDelay(RetryingClient client) {
        List<LearnedDestination> learned = client.clients.get(RetryClients.DEFAULT_CLIENT).learned().snapshot(10);
        if (learned.isEmpty() || learned.get(0).hedgeDelayMillis() == null) {
            return Double.NaN;
        }
        return learned.get(0).hedgeDelayMillis();
    }

    static double hedges(SimpleMeterRegistry registry, String outcome) {
        return registry.find(RetryMetrics.HEDGES).tag("outcome", outcome).counters().stream().mapToDouble(Counter::count).sum();
    }

    /** {@code calls} GETs, {@code concurrency} at a time: each call's latency in nanoseconds, negated for a failed call. */
    static long[] run(RetryingClient client, int calls, int concurrency) {
        long[] nanos = new long[calls];
        Flux.range(0, calls)
            .flatMap((i) -> {
                long start = System.nanoTime();
                return client.webClient.get().uri("/").retrieve().bodyToMono(String.class)
                    .doOnNext((body) -> nanos[i] = System.nanoTime() - start)
                    .onErrorResume((error) -> {
                        nanos[i] = -(System.nanoTime() - start);
                        return Mono.empty();
                    });
            }, concurrency)
            .blockLast(Duration.ofMinutes(10));
        return nanos;
    }

    public static void main(String[] args) throws IOException {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
            .setLevel(ch.qos.logback.classic.Level.ERROR);
        Options options = Options.parse(args);
        Path out = Path.of(options.string("out", "results"));
        Files.createDirectories(out);
        if (options.string("mode", "steady").equals("follow")) {
            follow(options, out);
        }
        else {
            steady(options, out);
        }
    }

    private static void steady(Options options, Path out) throws IOException {
        int calls = options.integer("calls", 4_000);
        int rounds = options.integer("rounds", 3);
        int concurrency = options.integer("concurrency", 32);
        int slowPercent = options.integer("slow-percent", 5);
        Map<String, String> contenders = new LinkedHashMap<>();
        contenders.put("no hedging", "");
        contenders.put("hedging, delay 50ms", "50ms");
        contenders.put("hedging, delay auto", "auto");
        Map<String, List<Long>> latencies = new LinkedHashMap<>();
        Map<String, long[]> counts = new LinkedHashMap<>();
        Map<String, SimpleMeterRegistry> registries = new LinkedHashMap<>();
        Map<String, List<Double>> delays = new LinkedHashMap<>();
        StringBuilder rows = new StringBuilder("client,round,calls,server_requests,failed,elapsed_ms,p50_ms,p99_ms,p999_ms,max_ms,"
                + "learned_delay_ms\n");
        try (TailServer server = new TailServer(slowPercent, options.longValue("seed", 42))) {
            Map<String, RetryingClient> clients = new LinkedHashMap<>();
            contenders.forEach((name, delay) -> {
                registries.put(name, new SimpleMeterRegistry());
                clients.put(name, new RetryingClient(server.url(), properties(delay), MonotonicClock.INSTANCE, concurrency * 3,
                        registries.get(name)));
            });
            clients.values().forEach((client) -> run(client, 500, concurrency));
            Map<String, double[]> warmedHedges = new LinkedHashMap<>();
            registries.forEach((name, registry) -> warmedHedges.put(name, new double[] { hedges(registry, "won"),
                    hedges(registry, "lost"), hedges(registry, "refused") }));
            for (int round = 1; round <= rounds; round++) {
                for (Map.Entry<String, RetryingClient> entry : clients.entrySet()) {
                    long before = server.requests.get();
                    long started = System.nanoTime();
                    long[] nanos = run(entry.getValue(), calls, concurrency);
                    long elapsed = System.nanoTime() - started;
                    long sent = server.requests.get() - before;
                    List<Long> all = latencies.computeIfAbsent(entry.getKey(), (k) -> new ArrayList<>());
                    Arrays.stream(nanos).forEach(all::add);
                    long[] count = counts.computeIfAbsent(entry.getKey(), (k) -> new long[4]);
                    long failed = Arrays.stream(nanos).filter((n) -> n < 0).count();
                    count[0] += nanos.length;
                    count[1] += sent;
                    count[2] += failed;
                    count[3] += elapsed;
                    double delay = learnedDelay(entry.getValue());
                    delays.computeIfAbsent(entry.getKey(), (k) -> new ArrayList<>()).add(delay);
                    long[] sorted = Arrays.stream(nanos).map(Math::abs).sorted().toArray();
                    rows.append(String.format(Locale.ROOT, "\"%s\",%d,%d,%d,%d,%.1f,%.2f,%.2f,%.2f,%.2f,%.1f%n", entry.getKey(), round,
                            nanos.length, sent, failed, elapsed / 1e6, Stats.percentile(sorted, 0.5) / 1e6,
                            Stats.percentile(sorted, 0.99) / 1e6, Stats.percentile(sorted, 0.999) / 1e6,
                            Stats.percentile(sorted, 1.0) / 1e6, delay));
                    System.out.printf(Locale.ROOT, "round %d %-22s %.3f server requests per call, p99 %.1f ms, learned delay %.1f ms%n",
                            round, entry.getKey(), (double) sent / nanos.length, Stats.percentile(sorted, 0.99) / 1e6, delay);
                }
            }
            clients.values().forEach(RetryingClient::close);
            StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "%d rounds of %,d calls per client, interleaved, %d in flight; "
                    + "%d%% of requests held %d s%n%n", rounds, calls, concurrency, slowPercent, SLOW.toSeconds()));
            md.append("| client | calls/s | p50 (ms) | p99 (ms) | p99.9 (ms) | max (ms) | server requests per call | failed calls "
                    + "| learned delay after each round (ms) |\n");
            md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
            latencies.forEach((name, values) -> {
                long[] sorted = values.stream().mapToLong(Math::abs).sorted().toArray();
                long[] count = counts.get(name);
                md.append(String.format(Locale.ROOT, "| %s | %,.0f | %.1f | %.1f | %.1f | %.1f | %.3f | %d | %s |%n", name,
                        count[0] / (count[3] / 1e9), Stats.percentile(sorted, 0.5) / 1e6, Stats.percentile(sorted, 0.99) / 1e6,
                        Stats.percentile(sorted, 0.999) / 1e6, Stats.percentile(sorted, 1.0) / 1e6, (double) count[1] / count[0],
                        count[2], delays.get(name).stream().map((d) -> Double.isNaN(d) ? "–" : String.format(Locale.ROOT, "%.1f", d))
                            .collect(java.util.stream.Collectors.joining(", "))));
            });
            md.append("\n| client | hedges won | lost | refused by the budget |\n| --- | ---: | ---: | ---: |\n");
            registries.forEach((name, registry) -> {
                double[] warm = warmedHedges.get(name);
                md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f |%n", name, hedges(registry, "won") - warm[0],
                        hedges(registry, "lost") - warm[1], hedges(registry, "refused") - warm[2]));
            });
            md.append("\n(warm-up calls not included in the hedge counts)\n");
            System.out.println();
            System.out.print(md);
            Files.writeString(out.resolve("auto-hedging.csv"), rows);
            Files.writeString(out.resolve("auto-hedging.md"), md);
            System.out.println("wrote " + out.resolve("auto-hedging.csv") + " and auto-hedging.md");
        }
    }

    /** One second of a follow run. */
    static final class Second {

        final List<Long> latencies = new ArrayList<>();

        long requests;

        double delay = Double.NaN;
    }

    private static void follow(Options options, Path out) throws IOException {
        int phase = options.integer("phase-seconds", 30);
        int concurrency = options.integer("concurrency", 32);
        int[] shares = Arrays.stream(options.string("slow-percents", "5,20,5").split(",")).mapToInt((s) -> Integer.parseInt(s.trim())).toArray();
        int seconds = phase * shares.length;
        Map<String, String> contenders = new LinkedHashMap<>();
        contenders.put("delay auto", "auto");
        contenders.put("delay 50ms", "50ms");
        Map<String, List<Second>> timelines = new LinkedHashMap<>();
        List<double[]> delaySamples = new ArrayList<>();
        try (TailServer server = new TailServer(shares[0], options.longValue("seed", 42))) {
            for (Map.Entry<String, String> contender : contenders.entrySet()) {
                try (RetryingClient client = new RetryingClient(server.url(), properties(contender.getValue()), MonotonicClock.INSTANCE,
                        concurrency * 3)) {
                    server.slowPercent.set(shares[0]);
                    run(client, 500, concurrency);
                    List<Second> timeline = new ArrayList<>();
                    for (int i = 0; i <= seconds; i++) {
                        timeline.add(new Second());
                    }
                    long start = System.nanoTime();
                    server.start = start;
                    for (int i = 0; i < server.requestsBySecond.length(); i++) {
                        server.requestsBySecond.set(i, 0);
                    }
                    Thread sampler = new Thread(() -> {
                        long now;
                        while ((now = System.nanoTime()) - start < seconds * 1_000_000_000L) {
                            int second = (int) ((now - start) / 1_000_000_000L);
                            server.slowPercent.set(shares[Math.min(shares.length - 1, second / phase)]);
                            double delay = learnedDelay(client);
                            synchronized (timeline) {
                                timeline.get(second).delay = delay;
                                if (contender.getValue().equals("auto")) {
                                    delaySamples.add(new double[] { (now - start) / 1e9, delay, server.slowPercent.get() });
                                }
                            }
                            java.util.concurrent.locks.LockSupport.parkNanos(250_000_000L);
                        }
                    }, "delay-sampler");
                    sampler.setDaemon(true);
                    sampler.start();
                    Flux.<Integer>generate((sink) -> sink.next(0))
                        .flatMap((i) -> {
                            long t0 = System.nanoTime();
                            return client.webClient.get().uri("/").retrieve().bodyToMono(String.class)
                                .onErrorResume((error) -> Mono.just("failed"))
                                .doOnNext((body) -> {
                                    long t1 = System.nanoTime();
                                    int second = (int) ((t1 - start) / 1_000_000_000L);
                                    if (second < seconds) {
                                        synchronized (timeline) {
                                            timeline.get(second).latencies.add(t1 - t0);
                                        }
                                    }
                                });
                        }, concurrency)
                        .take(Duration.ofSeconds(seconds))
                        .blockLast(Duration.ofSeconds(seconds + 60));
                    try {
                        sampler.join();
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                    for (int i = 0; i < seconds; i++) {
                        timeline.get(i).requests = server.requestsBySecond.get(i);
                    }
                    timelines.put(contender.getKey(), timeline.subList(0, seconds));
                }
            }
        }
        StringBuilder csv = new StringBuilder("client,second,slow_percent,calls_ended,server_requests,p50_ms,p99_ms,learned_delay_ms\n");
        List<LinePlot.Series> p99 = new ArrayList<>();
        List<LinePlot.Series> extra = new ArrayList<>();
        double[] x = new double[seconds];
        for (int i = 0; i < seconds; i++) {
            x[i] = i + 0.5;
        }
        StringBuilder md = new StringBuilder("\n| client | phase | slow share | p99 (ms, median of its seconds) | server requests per call |\n"
                + "| --- | --- | ---: | ---: | ---: |\n");
        timelines.forEach((name, timeline) -> {
            double[] y = new double[seconds];
            double[] ratio = new double[seconds];
            for (int i = 0; i < seconds; i++) {
                Second s = timeline.get(i);
                long[] sorted = s.latencies.stream().mapToLong(Long::longValue).sorted().toArray();
                y[i] = Stats.percentile(sorted, 0.99) / 1e6;
                ratio[i] = sorted.length == 0 ? Double.NaN : (double) s.requests / sorted.length;
                csv.append(String.format(Locale.ROOT, "\"%s\",%d,%d,%d,%d,%.2f,%.2f,%.1f%n", name, i, shares[Math.min(shares.length - 1, i / phase)],
                        sorted.length, s.requests, Stats.percentile(sorted, 0.5) / 1e6, y[i], s.delay));
            }
            p99.add(new LinePlot.Series(name + ": p99 of the calls ended in each second", x, y));
            extra.add(new LinePlot.Series(name + ": server requests per call", x, ratio));
            for (int p = 0; p < shares.length; p++) {
                double[] phaseP99 = Arrays.copyOfRange(y, p * phase, (p + 1) * phase);
                long calls = timeline.subList(p * phase, (p + 1) * phase).stream().mapToLong((s) -> s.latencies.size()).sum();
                long requests = timeline.subList(p * phase, (p + 1) * phase).stream().mapToLong((s) -> s.requests).sum();
                md.append(String.format(Locale.ROOT, "| %s | %d–%d s | %d%% | %.1f | %.3f |%n", name, p * phase, (p + 1) * phase, shares[p],
                        Stats.median(phaseP99), (double) requests / calls));
            }
        });
        List<LinePlot.Series> delay = new ArrayList<>();
        delay.add(new LinePlot.Series("learned hedging delay (delay: auto)", delaySamples.stream().mapToDouble((s) -> s[0]).toArray(),
                delaySamples.stream().mapToDouble((s) -> Double.isNaN(s[1]) ? 1000 : s[1]).toArray()));
        delay.add(new LinePlot.Series("hand-set delay (50ms)", new double[] { 0, seconds }, new double[] { 50, 50 }));
        System.out.print(md);
        Files.writeString(out.resolve("auto-hedging-follow.csv"), csv);
        LinePlot.write(out.resolve("auto-hedging-follow.png"), String.format(Locale.ROOT,
                "hedging.delay auto: the slow share (requests held 1 s) goes %s, %d s each; %d calls in flight",
                Arrays.stream(shares).mapToObj((s) -> s + "%").collect(java.util.stream.Collectors.joining(" → ")), phase, concurrency),
                List.of(new LinePlot.Panel("The learned delay", "second", "ms (log scale)", delay, true),
                        new LinePlot.Panel("p99 of the calls that ended, per second", "second", "ms (log scale)", p99, true),
                        new LinePlot.Panel("Server requests per call, per second", "second", "requests per call", extra, false)));
        System.out.println("wrote " + out.resolve("auto-hedging-follow.csv") + " and auto-hedging-follow.png");
    }
}
