package dev.httpretry.benchmarks.overhead;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import dev.httpretry.core.ClientLibraryExceptionClassifier;
import dev.httpretry.core.Jitter;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryListener;
import dev.httpretry.core.RetryPolicy;
import dev.httpretry.restclient.RetryClientHttpRequestInterceptor;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.http.client.ReactorClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * Section 6 of BENCHMARKS.md: a bare {@code RestClient} against the same client with the retry
 * interceptor, both on Reactor Netty's request factory over one shared connection pool, called by
 * a fixed number of platform threads. First the happy path (a server that answers 200 at once;
 * interleaved rounds, medians), then a server that answers 10% of requests with 503.
 *
 * <pre>mvn -B -q -pl benchmarks -am verify -DskipTests -Dbench=overhead.RestClientBenchmark -Dbench.args="[calls-per-round] [rounds] [threads] [failure-calls]"</pre>
 */
public final class RestClientBenchmark {

    private static final String BARE = "(a) bare RestClient";

    private static final String RETRYING = "(b) RestClient + http-retry interceptor";

    private RestClientBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        int failureCalls = args.length > 3 ? Integer.parseInt(args[3]) : 2_000;
        ConnectionProvider pool = ConnectionProvider.builder("benchmark").maxConnections(threads * 2).build();
        ExecutorService callers = Executors.newFixedThreadPool(threads);
        List<RetryClientHttpRequestInterceptor> interceptors = new ArrayList<>();
        try {
            ReactorClientHttpRequestFactory factory = new ReactorClientHttpRequestFactory(HttpClient.create(pool));
            // the contract's defaults: attempt timeout 10 s, deadline 15 s, budget on
            RetryPolicy defaults = RetryPolicy.builder().exceptionClassifier(ClientLibraryExceptionClassifier.INSTANCE).build();
            try (FaultServer server = new FaultServer(FaultServer.Mode.OK, 0, 1)) {
                Map<String, RestClient> clients = clients(server.url(), factory, defaults, interceptors);
                System.out.printf(Locale.ROOT, "Happy path: %,d calls per round, %d rounds (+2 warm-up), %d threads%n",
                        calls, rounds, threads);
                Map<String, List<Result>> results = new LinkedHashMap<>();
                for (int round = -2; round < rounds; round++) {
                    for (Map.Entry<String, RestClient> client : clients.entrySet()) {
                        Result result = run(callers, threads, calls, client.getValue());
                        if (round >= 0) {
                            results.computeIfAbsent(client.getKey(), (k) -> new ArrayList<>()).add(result);
                        }
                        System.out.printf(Locale.ROOT, "  %s round %d: %,.0f calls/s%n", client.getKey(), round, result.throughput());
                    }
                }
                System.out.println();
                System.out.println("| client | throughput (calls/s) | p50 (ms) | p99 (ms) |");
                System.out.println("| --- | ---: | ---: | ---: |");
                Map<String, double[]> medians = new LinkedHashMap<>();
                results.forEach((name, runs) -> {
                    double[] median = { median(runs.stream().mapToDouble(Result::throughput).toArray()),
                            median(runs.stream().mapToDouble((r) -> r.percentileMillis(50)).toArray()),
                            median(runs.stream().mapToDouble((r) -> r.percentileMillis(99)).toArray()) };
                    medians.put(name, median);
                    System.out.printf(Locale.ROOT, "| %s | %,.0f | %.3f | %.3f |%n", name, median[0], median[1], median[2]);
                });
                double[] bare = medians.get(BARE);
                double[] retrying = medians.get(RETRYING);
                System.out.printf(Locale.ROOT, "%n(b)/(a): throughput %.3f, p50 %.3f, p99 %.3f%n", retrying[0] / bare[0],
                        retrying[1] / bare[1], retrying[2] / bare[2]);
            }
            // as in section 2: 4 attempts, backoff from 100 ms capped at 2 s, full jitter
            RetryPolicy failures = defaults.toBuilder().initialDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(2))
                .jitter(Jitter.FULL).build();
            try (FaultServer server = new FaultServer(FaultServer.Mode.UNAVAILABLE, 0.1, 7)) {
                Map<String, RestClient> clients = clients(server.url(), factory, failures, interceptors);
                run(callers, threads, Math.min(failureCalls, 500), clients.get(BARE));
                run(callers, threads, Math.min(failureCalls, 500), clients.get(RETRYING));
                System.out.printf(Locale.ROOT, "%n503 at random: 10%% of requests fail; %,d calls, %d threads%n", failureCalls, threads);
                System.out.println("| client | success rate | attempts per call | p50 (ms) | p99 (ms) |");
                System.out.println("| --- | ---: | ---: | ---: | ---: |");
                for (Map.Entry<String, RestClient> client : clients.entrySet()) {
                    server.reset();
                    Result result = run(callers, threads, failureCalls, client.getValue());
                    System.out.printf(Locale.ROOT, "| %s | %.2f%% | %.3f | %.1f | %.1f |%n", client.getKey(),
                            100.0 * result.successes() / failureCalls, (double) server.requests() / failureCalls,
                            result.percentileMillis(50), result.percentileMillis(99));
                }
            }
        }
        finally {
            interceptors.forEach((interceptor) -> interceptor.getWaits().stop());
            callers.shutdownNow();
            pool.disposeLater().block(Duration.ofSeconds(5));
        }
    }

    private static Map<String, RestClient> clients(String url, ReactorClientHttpRequestFactory factory, RetryPolicy policy,
            List<RetryClientHttpRequestInterceptor> interceptors) {
        RetryClientHttpRequestInterceptor interceptor = new RetryClientHttpRequestInterceptor(
                RetryClients.of(Map.of(RetryClients.DEFAULT_CLIENT, policy), Clock.systemUTC()), RetryListener.NONE);
        interceptors.add(interceptor);
        Map<String, RestClient> clients = new LinkedHashMap<>();
        clients.put(BARE, RestClient.builder().requestFactory(factory).baseUrl(url).build());
        clients.put(RETRYING, interceptor.applyTo(RestClient.builder().requestFactory(factory)).baseUrl(url).build());
        return clients;
    }

    /** {@code calls} GETs shared among {@code threads} blocking callers. */
    private static Result run(ExecutorService callers, int threads, int calls, RestClient client) throws Exception {
        long[] latencies = new long[calls];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger successes = new AtomicInteger();
        System.gc();
        long start = System.nanoTime();
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(callers.submit(() -> {
                for (int i = next.getAndIncrement(); i < calls; i = next.getAndIncrement()) {
                    long t0 = System.nanoTime();
                    try {
                        client.get().retrieve().toBodilessEntity();
                        successes.incrementAndGet();
                    }
                    catch (RuntimeException failed) {
                        // counted by the success rate
                    }
                    latencies[i] = System.nanoTime() - t0;
                }
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        long elapsed = System.nanoTime() - start;
        Arrays.sort(latencies);
        return new Result(calls * 1e9 / elapsed, latencies, successes.get());
    }

    private record Result(double throughput, long[] sortedLatencies, int successes) {

        double percentileMillis(double percentile) {
            int index = (int) Math.ceil(percentile / 100 * this.sortedLatencies.length) - 1;
            return this.sortedLatencies[Math.max(0, index)] / 1e6;
        }
    }

    private static double median(double[] values) {
        return HappyPathBenchmark.median(values);
    }
}
