package dev.httpretry.benchmarks.overhead;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

import dev.httpretry.core.MonotonicClock;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.RetryListener;
import dev.httpretry.core.RetryPolicy;
import dev.httpretry.core.RetryPolicyBuilder;
import dev.httpretry.webclient.RetryExchangeFilterFunction;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The cost of the destinations that learn on the happy path: a local server answers 200 at once; a
 * bare WebClient and the filter at the defaults (section 8.7's (a) and (b)) beside the filter with
 * {@code adaptive.enabled}, with hedging at a hand-set 50 ms, with {@code hedging.delay: auto}, and with
 * both adaptive and the automatic delay. One shared pool, every filter on a monotonic clock as the
 * auto-configuration builds it, the order turned each round, per-round ratios to (a) and to (b).
 * Also counts the server's requests per call (a hedge sent on the happy path is a request wasted).
 *
 * <pre>mvn -B -q -pl benchmarks -am verify -DskipTests -Dbench=overhead.LearningOverhead -Dbench.args="[calls-per-round] [rounds] [concurrency]"</pre>
 */
public final class LearningOverhead {

    private LearningOverhead() {
    }

    static final String BARE = "(a) bare WebClient";

    static final String DEFAULTS = "(b) http-retry filter, defaults";

    /** The contenders other than the bare client: how each changes the defaults' policy. */
    static Map<String, UnaryOperator<RetryPolicyBuilder>> filters() {
        Map<String, UnaryOperator<RetryPolicyBuilder>> filters = new LinkedHashMap<>();
        filters.put(DEFAULTS, (b) -> b);
        filters.put("(e) adaptive", (b) -> b.adaptive(true));
        filters.put("(f) hedging, delay 50ms", (b) -> b.hedgingEnabled(true).hedgingDelay(Duration.ofMillis(50)));
        filters.put("(g) hedging, delay auto", (b) -> b.hedgingEnabled(true).hedgingAutoDelay());
        filters.put("(h) adaptive + hedging, delay auto", (b) -> b.adaptive(true).hedgingEnabled(true).hedgingAutoDelay());
        return filters;
    }

    /** Section 1's policy (max-attempts 4, 1 s to 30 s, budget on), changed as the contender says, on a monotonic clock. */
    static RetryExchangeFilterFunction filter(UnaryOperator<RetryPolicyBuilder> change) {
        RetryPolicy policy = change.apply(RetryPolicy.builder()
            .maxAttempts(4)
            .initialDelay(Duration.ofSeconds(1))
            .maxDelay(Duration.ofSeconds(30))
            .budgetEnabled(true)).build();
        RetryClients clients = RetryClients.of(Map.of(RetryClients.DEFAULT_CLIENT, policy), MonotonicClock.INSTANCE);
        return new RetryExchangeFilterFunction(clients, RetryListener.NONE);
    }

    public static void main(String[] args) {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
            .setLevel(ch.qos.logback.classic.Level.WARN);
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        ConnectionProvider pool = ConnectionProvider.builder("benchmark").maxConnections(concurrency * 4).build();
        try (FaultServer server = new FaultServer(FaultServer.Mode.OK, 0, 1)) {
            WebClient.Builder base = WebClient.builder().baseUrl(server.url())
                .clientConnector(new ReactorClientHttpConnector(HttpClient.create(pool)));
            Map<String, WebClient> clients = new LinkedHashMap<>();
            clients.put(BARE, base.clone().build());
            filters().forEach((name, change) -> clients.put(name, filter(change).applyTo(base.clone()).build()));
            System.out.printf(Locale.ROOT, "Happy path with the destinations that learn: %,d calls per round, %d rounds (+2 warm-up), "
                    + "%d in flight%n", calls, rounds, concurrency);
            Map<String, List<LoadRunner.Result>> results = new LinkedHashMap<>();
            Map<String, long[]> requests = new LinkedHashMap<>();
            List<String> names = new ArrayList<>(clients.keySet());
            for (int round = -2; round < rounds; round++) {
                List<String> order = new ArrayList<>(names);
                java.util.Collections.rotate(order, -Math.floorMod(round, order.size()));
                for (String name : order) {
                    WebClient client = clients.get(name);
                    long before = server.requests();
                    LoadRunner.Result result = LoadRunner.run(calls, concurrency, () -> client.get().retrieve()
                        .toBodilessEntity().map((entity) -> entity.getStatusCode().value()));
                    long sent = server.requests() - before;
                    if (round >= 0) {
                        results.computeIfAbsent(name, (c) -> new ArrayList<>()).add(result);
                        long[] count = requests.computeIfAbsent(name, (c) -> new long[2]);
                        count[0] += calls;
                        count[1] += sent;
                    }
                    System.out.printf(Locale.ROOT, "  %s round %d: %,.0f calls/s, %.1f µs CPU per call, %d server requests%n", name,
                            round, result.throughput(), result.cpuMicrosPerCall(), sent);
                }
            }
            print(results, requests);
        }
        finally {
            pool.disposeLater().block(Duration.ofSeconds(5));
        }
    }

    static void print(Map<String, List<LoadRunner.Result>> results, Map<String, long[]> requests) {
        System.out.println();
        System.out.println("| client | throughput (calls/s) | p50 (ms) | p99 (ms) | CPU per call (µs) | allocated per call, all threads (bytes) "
                + "| server requests per call |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        results.forEach((name, runs) -> System.out.printf(Locale.ROOT, "| %s | %,.0f | %.3f | %.3f | %.1f | %,.0f | %.5f |%n", name,
                HappyPathBenchmark.median(runs.stream().mapToDouble(LoadRunner.Result::throughput).toArray()),
                HappyPathBenchmark.median(runs.stream().mapToDouble((r) -> r.percentileMillis(50)).toArray()),
                HappyPathBenchmark.median(runs.stream().mapToDouble((r) -> r.percentileMillis(99)).toArray()),
                HappyPathBenchmark.median(runs.stream().mapToDouble(LoadRunner.Result::cpuMicrosPerCall).toArray()),
                HappyPathBenchmark.median(runs.stream().mapToDouble(LoadRunner.Result::bytesPerCall).toArray()),
                (double) requests.get(name)[1] / requests.get(name)[0]));
        for (String against : List.of(BARE, DEFAULTS)) {
            System.out.println();
            System.out.println("| against " + against + ", median of the per-round ratios (min–max) | throughput | p50 | p99 | CPU per call |");
            System.out.println("| --- | ---: | ---: | ---: | ---: |");
            List<LoadRunner.Result> baseline = results.get(against);
            results.forEach((name, runs) -> {
                if (name.equals(against) || (against.equals(DEFAULTS) && name.equals(BARE))) {
                    return;
                }
                double[][] ratios = new double[4][runs.size()];
                for (int i = 0; i < runs.size(); i++) {
                    ratios[0][i] = runs.get(i).throughput() / baseline.get(i).throughput();
                    ratios[1][i] = runs.get(i).percentileMillis(50) / baseline.get(i).percentileMillis(50);
                    ratios[2][i] = runs.get(i).percentileMillis(99) / baseline.get(i).percentileMillis(99);
                    ratios[3][i] = runs.get(i).cpuMicrosPerCall() / baseline.get(i).cpuMicrosPerCall();
                }
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", name, range(ratios[0]), range(ratios[1]), range(ratios[2]),
                        range(ratios[3]));
            });
        }
    }

    private static String range(double[] ratios) {
        double[] sorted = ratios.clone();
        java.util.Arrays.sort(sorted);
        return String.format(Locale.ROOT, "%.3f (%.2f–%.2f)", HappyPathBenchmark.median(ratios), sorted[0], sorted[sorted.length - 1]);
    }
}
