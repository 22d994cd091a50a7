package dev.httpretry.benchmarks.overhead;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Section 1 of BENCHMARKS.md: the cost of each contender when nothing fails. A local server
 * answers 200 at once; the four clients share one connection pool; rounds are interleaved so drift
 * of the machine affects all alike; the median round of each contender is reported.
 *
 * <pre>mvn -B -q -pl benchmarks -am verify -DskipTests -Dbench=overhead.HappyPathBenchmark -Dbench.args="[calls-per-round] [rounds] [concurrency]"</pre>
 */
public final class HappyPathBenchmark {

    private HappyPathBenchmark() {
    }

    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        Contender.Settings settings = new Contender.Settings(4, Duration.ofSeconds(1), Duration.ofSeconds(30), true);
        ConnectionProvider pool = ConnectionProvider.builder("benchmark").maxConnections(concurrency * 2).build();
        try (FaultServer server = new FaultServer(FaultServer.Mode.OK, 0, 1)) {
            WebClient.Builder base = WebClient.builder().baseUrl(server.url())
                .clientConnector(new ReactorClientHttpConnector(HttpClient.create(pool)));
            Map<Contender, WebClient> clients = new EnumMap<>(Contender.class);
            for (Contender contender : Contender.values()) {
                clients.put(contender, contender.client(base, settings));
            }
            System.out.printf(Locale.ROOT, "Happy path: %,d calls per round, %d rounds (+2 warm-up), %d in flight%n",
                    calls, rounds, concurrency);
            Map<Contender, List<LoadRunner.Result>> results = new EnumMap<>(Contender.class);
            for (int round = -2; round < rounds; round++) {
                for (Contender contender : Contender.values()) {
                    WebClient client = clients.get(contender);
                    LoadRunner.Result result = LoadRunner.run(calls, concurrency, () -> client.get().retrieve()
                        .toBodilessEntity().map((entity) -> entity.getStatusCode().value()));
                    if (round >= 0) {
                        results.computeIfAbsent(contender, (c) -> new ArrayList<>()).add(result);
                    }
                    System.out.printf(Locale.ROOT, "  %s round %d: %,.0f calls/s%n", contender.label(), round,
                            result.throughput());
                }
            }
            print(results);
        }
        finally {
            pool.disposeLater().block(Duration.ofSeconds(5));
        }
    }

    static void print(Map<Contender, List<LoadRunner.Result>> results) {
        System.out.println();
        System.out.println("| client | throughput (calls/s) | p50 (ms) | p99 (ms) | allocated per call (bytes) |");
        System.out.println("| --- | ---: | ---: | ---: | ---: |");
        Map<Contender, double[]> medians = new EnumMap<>(Contender.class);
        results.forEach((contender, runs) -> {
            double[] median = {
                median(runs.stream().mapToDouble(LoadRunner.Result::throughput).toArray()),
                median(runs.stream().mapToDouble((r) -> r.percentileMillis(50)).toArray()),
                median(runs.stream().mapToDouble((r) -> r.percentileMillis(99)).toArray()),
                median(runs.stream().mapToDouble(LoadRunner.Result::bytesPerCall).toArray()) };
            medians.put(contender, median);
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %.3f | %.3f | %,.0f |%n", contender.label(), median[0],
                    median[1], median[2], median[3]);
        });
        double[] bare = medians.get(Contender.BARE);
        double[] starter = medians.get(Contender.STARTER);
        System.out.printf(Locale.ROOT, "%n(b)/(a): throughput %.3f, p50 %.3f, p99 %.3f, allocation %+,.0f bytes per call%n",
                starter[0] / bare[0], starter[1] / bare[1], starter[2] / bare[2], starter[3] - bare[3]);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
