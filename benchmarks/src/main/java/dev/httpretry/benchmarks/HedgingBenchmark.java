package dev.httpretry.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import dev.httpretry.autoconfigure.HttpRetryProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Hedging against a long tail: a local server answers 95% of requests at once and holds 5% for
 * 1 s (the choice is random per request, seeded). The same calls go through the retry filter without
 * hedging, with hedging at two delays, and with two hedges at the shorter delay; rounds are interleaved, and every call's latency is kept.
 * Reports p50, p99, p99.9 and the server requests per call of each, and plots the latency
 * distributions.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am verify -DskipTests -Dbench=HedgingBenchmark [-Dbench.args="--calls 4000 --rounds 3"]
 * </pre>
 */
public final class HedgingBenchmark {

    private static final Duration SLOW = Duration.ofSeconds(1);

    /** Failed calls by exception, over all clients. */
    private static final Map<String, Integer> FAILURES = new java.util.concurrent.ConcurrentSkipListMap<>();

    private HedgingBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        // the module's logback.xml logs everything at DEBUG; a latency benchmark measures calls, not logging
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
            .setLevel(ch.qos.logback.classic.Level.WARN);
        Options options = Options.parse(args);
        int calls = options.integer("calls", 4_000);
        int rounds = options.integer("rounds", 3);
        int concurrency = options.integer("concurrency", 32);
        int slowPercent = options.integer("slow-percent", 5);
        SplittableRandom random = new SplittableRandom(options.longValue("seed", 42));
        AtomicLong requests = new AtomicLong();
        // the server on event loops of its own, so that accepting new connections (each lost copy's
        // connection is closed, and the pool opens another) never waits behind the clients' work
        reactor.netty.resources.LoopResources serverLoops = reactor.netty.resources.LoopResources.create("hedging-server", 2, true);
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0).runOn(serverLoops)
            .option(io.netty.channel.ChannelOption.SO_BACKLOG, 4096)
            .handle((request, response) -> {
                requests.incrementAndGet();
                boolean slow;
                synchronized (random) {
                    slow = random.nextInt(100) < slowPercent;
                }
                Mono<Void> answer = response.sendString(Mono.just("ok")).then();
                // held on the connection's own event loop: see ServerHold
                return slow ? ServerHold.onItsLoop(request, SLOW).then(answer) : answer;
            })
            .bindNow();
        Map<String, HttpRetryProperties> contenders = new LinkedHashMap<>();
        contenders.put("no hedging", properties(false, Duration.ZERO, 1));
        contenders.put("hedging, delay 10ms", properties(true, Duration.ofMillis(10), 1));
        contenders.put("hedging, delay 50ms", properties(true, Duration.ofMillis(50), 1));
        contenders.put("hedging, delay 10ms, max-hedges 2", properties(true, Duration.ofMillis(10), 2));
        Map<String, List<Long>> latencies = new LinkedHashMap<>();
        Map<String, SimpleMeterRegistry> registries = new LinkedHashMap<>();
        // per client: calls, server requests, failed calls, nanoseconds spent
        Map<String, long[]> counts = new LinkedHashMap<>();
        try {
            String url = "http://127.0.0.1:" + server.port();
            Map<String, RetryingClient> clients = new LinkedHashMap<>();
            contenders.forEach((name, properties) -> {
                registries.put(name, new SimpleMeterRegistry());
                clients.put(name, new RetryingClient(url, properties, Clock.systemUTC(), concurrency * 3, registries.get(name)));
            });
            // warm up each client (connections, JIT), outside the figures
            clients.values().forEach((client) -> run(client, 500, concurrency));
            for (int round = 0; round < rounds; round++) {
                for (Map.Entry<String, RetryingClient> entry : clients.entrySet()) {
                    long before = requests.get();
                    long started = System.nanoTime();
                    long[] nanos = run(entry.getValue(), calls, concurrency);
                    long elapsed = System.nanoTime() - started;
                    long sent = requests.get() - before;
                    List<Long> all = latencies.computeIfAbsent(entry.getKey(), (k) -> new ArrayList<>());
                    Arrays.stream(nanos).forEach(all::add);
                    long[] count = counts.computeIfAbsent(entry.getKey(), (k) -> new long[4]);
                    count[3] += elapsed;
                    count[0] += nanos.length;
                    count[1] += sent;
                    count[2] += Arrays.stream(nanos).filter((n) -> n < 0).count();
                }
            }
            clients.values().forEach(RetryingClient::close);
        }
        finally {
            server.disposeNow();
            serverLoops.disposeLater().block(Duration.ofSeconds(10));
        }
        String table = table(latencies, counts, calls, rounds, concurrency, slowPercent) + hedges(registries);
        System.out.println(table);
        Path results = Path.of("results");
        Files.createDirectories(results);
        Files.writeString(results.resolve("hedging.md"), table, StandardCharsets.UTF_8);
        plot(latencies, results.resolve("hedging.png"));
    }

    private static HttpRetryProperties properties(boolean hedging, Duration delay, int maxHedges) {
        HttpRetryProperties properties = new HttpRetryProperties();
        properties.getHedging().setEnabled(hedging);
        if (hedging) {
            properties.getHedging().setDelay(delay.toMillis() + "ms");
            properties.getHedging().setMaxHedges(maxHedges);
        }
        // the defaults otherwise: budget on (ratio 0.1), attempt-timeout 10s, deadline 15s
        return properties;
    }

    /**
     * Runs {@code calls} GETs, {@code concurrency} at a time; returns each call's latency in
     * nanoseconds, negated for a call that failed.
     */
    private static long[] run(RetryingClient client, int calls, int concurrency) {
        long[] nanos = new long[calls];
        Flux.range(0, calls)
            .flatMap((i) -> {
                long start = System.nanoTime();
                return client.webClient.get().uri("/").retrieve().bodyToMono(String.class)
                    .doOnNext((body) -> nanos[i] = System.nanoTime() - start)
                    .onErrorResume((error) -> {
                        nanos[i] = -(System.nanoTime() - start);
                        FAILURES.merge(error.getClass().getSimpleName() + " / " + dev.httpretry.core.ExceptionClassifier.rootCauseName(error)
                                + " after " + error.getSuppressed().length + " earlier", 1, Integer::sum);
                        return Mono.empty();
                    });
            }, concurrency)
            .blockLast(Duration.ofMinutes(10));
        return nanos;
    }

    private static String table(Map<String, List<Long>> latencies, Map<String, long[]> counts, int calls, int rounds,
            int concurrency, int slowPercent) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "%d rounds of %,d calls per client, interleaved, %d in flight; %d%% of requests held %d s%n%n",
                rounds, calls, concurrency, slowPercent, SLOW.toSeconds()));
        md.append("| client | calls/s | p50 (ms) | p99 (ms) | p99.9 (ms) | max (ms) | server requests per call | failed calls |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        latencies.forEach((name, values) -> {
            long[] sorted = values.stream().mapToLong((n) -> Math.abs(n)).sorted().toArray();
            long[] count = counts.get(name);
            md.append(String.format(Locale.ROOT, "| %s | %,.0f | %.1f | %.1f | %.1f | %.1f | %.3f | %d |%n", name,
                    count[0] / (count[3] / 1e9), millis(sorted, 0.50),
                    millis(sorted, 0.99), millis(sorted, 0.999), millis(sorted, 1.0), (double) count[1] / count[0], count[2]));
        });
        if (!FAILURES.isEmpty()) {
            md.append("\nFailed calls (all clients): ").append(FAILURES).append('\n');
        }
        return md.toString();
    }

    /** The hedges each client sent (won, lost) or did not (refused by the budget), warm-up included. */
    private static String hedges(Map<String, SimpleMeterRegistry> registries) {
        StringBuilder md = new StringBuilder("\n| client | hedges won | lost | refused by the budget |\n| --- | ---: | ---: | ---: |\n");
        registries.forEach((name, registry) -> md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f |%n", name,
                hedgeCount(registry, "won"), hedgeCount(registry, "lost"), hedgeCount(registry, "refused"))));
        return md.toString();
    }

    private static double hedgeCount(SimpleMeterRegistry registry, String outcome) {
        io.micrometer.core.instrument.Counter counter = registry.find(dev.httpretry.micrometer.RetryMetrics.HEDGES)
            .tag("outcome", outcome).counter();
        return (counter != null) ? counter.count() : 0;
    }

    private static double millis(long[] sorted, double quantile) {
        int index = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(quantile * sorted.length) - 1));
        return sorted[index] / 1e6;
    }

    /**
     * Latency against percentile, both on log scales: x counts the nines (1 is p90, 2 is p99, 3 is
     * p99.9), where a long tail shows and the contenders differ.
     */
    private static void plot(Map<String, List<Long>> latencies, Path png) throws IOException {
        double[] percentiles = { 50, 75, 90, 95, 96, 97, 98, 99, 99.5, 99.8, 99.9, 99.95 };
        double[] nines = Arrays.stream(percentiles).map((p) -> -Math.log10(1 - p / 100)).toArray();
        List<LinePlot.Series> series = new ArrayList<>();
        latencies.forEach((name, values) -> {
            long[] sorted = values.stream().mapToLong((n) -> Math.abs(n)).sorted().toArray();
            double[] y = Arrays.stream(percentiles).map((p) -> Math.max(0.01, millis(sorted, p / 100))).toArray();
            series.add(new LinePlot.Series(name, nines, y));
        });
        LinePlot.write(png, "Hedging against a long tail: 5% of requests held 1 s",
                List.of(new LinePlot.Panel("Call latency by percentile (log scale)", "nines: 0.3 = p50, 1 = p90, 2 = p99, 3 = p99.9",
                        "ms", series, true)));
    }
}
