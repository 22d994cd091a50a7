package dev.httpretry.benchmarks.overhead;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.httpretry.benchmarks.LinePlot;
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
        // "timers": only (a), (a'), (a''), (b) and (b'), so more rounds fit in the same time
        boolean timersOnly = args.length > 3 && args[3].equals("timers");
        List<Contender> contenders = new ArrayList<>();
        for (Contender contender : Contender.values()) {
            if (!timersOnly || contender.timerVariant() || contender == Contender.BARE || contender == Contender.BARE_WITH_TIMEOUT
                    || contender == Contender.STARTER) {
                contenders.add(contender);
            }
        }
        Contender.Settings settings = new Contender.Settings(4, Duration.ofSeconds(1), Duration.ofSeconds(30), true);
        ConnectionProvider pool = ConnectionProvider.builder("benchmark").maxConnections(concurrency * 2).build();
        try (FaultServer server = new FaultServer(FaultServer.Mode.OK, 0, 1)) {
            WebClient.Builder base = WebClient.builder().baseUrl(server.url())
                .clientConnector(new ReactorClientHttpConnector(HttpClient.create(pool)));
            Map<Contender, WebClient> clients = new EnumMap<>(Contender.class);
            for (Contender contender : contenders) {
                clients.put(contender, contender.client(base, settings));
            }
            System.out.printf(Locale.ROOT, "Happy path: %,d calls per round, %d rounds (+2 warm-up), %d in flight%n",
                    calls, rounds, concurrency);
            Map<Contender, List<LoadRunner.Result>> results = new EnumMap<>(Contender.class);
            for (int round = -2; round < rounds; round++) {
                // the order turns by one each round, so no contender always runs right after another
                List<Contender> order = new ArrayList<>(contenders);
                java.util.Collections.rotate(order, -Math.floorMod(round, order.size()));
                for (Contender contender : order) {
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
            plot(results, calls, rounds, concurrency);
        }
        finally {
            pool.disposeLater().block(Duration.ofSeconds(5));
        }
    }

    static void print(Map<Contender, List<LoadRunner.Result>> results) {
        System.out.println();
        System.out.println("| client | throughput (calls/s) | p50 (ms) | p99 (ms) | allocated per call (bytes) | CPU per call (µs) |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
        Map<Contender, double[]> medians = new EnumMap<>(Contender.class);
        results.forEach((contender, runs) -> {
            double[] median = {
                median(runs.stream().mapToDouble(LoadRunner.Result::throughput).toArray()),
                median(runs.stream().mapToDouble((r) -> r.percentileMillis(50)).toArray()),
                median(runs.stream().mapToDouble((r) -> r.percentileMillis(99)).toArray()),
                median(runs.stream().mapToDouble(LoadRunner.Result::bytesPerCall).toArray()),
                median(runs.stream().mapToDouble(LoadRunner.Result::cpuMicrosPerCall).toArray()) };
            medians.put(contender, median);
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %.3f | %.3f | %,.0f | %.1f |%n", contender.label(), median[0],
                    median[1], median[2], median[3], median[4]);
        });
        double[] bare = medians.get(Contender.BARE);
        double[] starter = medians.get(Contender.STARTER);
        System.out.printf(Locale.ROOT, "%n(b)/(a): throughput %.3f, p50 %.3f, p99 %.3f, allocation %+,.0f bytes per call%n",
                starter[0] / bare[0], starter[1] / bare[1], starter[2] / bare[2], starter[3] - bare[3]);
        // ratios within each round (the two ran seconds apart, so drift of the machine cancels), then their median
        System.out.println();
        System.out.println("| against (a), median of the per-round ratios | throughput | p50 | p99 | CPU per call |");
        System.out.println("| --- | ---: | ---: | ---: | ---: |");
        List<LoadRunner.Result> bareRuns = results.get(Contender.BARE);
        results.forEach((contender, runs) -> {
            if (contender == Contender.BARE) {
                return;
            }
            double[][] ratios = new double[4][runs.size()];
            for (int i = 0; i < runs.size(); i++) {
                ratios[0][i] = runs.get(i).throughput() / bareRuns.get(i).throughput();
                ratios[1][i] = runs.get(i).percentileMillis(50) / bareRuns.get(i).percentileMillis(50);
                ratios[2][i] = runs.get(i).percentileMillis(99) / bareRuns.get(i).percentileMillis(99);
                ratios[3][i] = runs.get(i).cpuMicrosPerCall() / bareRuns.get(i).cpuMicrosPerCall();
            }
            System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f |%n", contender.label(), median(ratios[0]), median(ratios[1]),
                    median(ratios[2]), median(ratios[3]));
        });
    }

    /**
     * The latency distributions of (a), (a'), (b) and (b'), every call of every measured round pooled,
     * as a CSV of percentiles and a PNG: results/happy-path-latency.{csv,png}.
     */
    static void plot(Map<Contender, List<LoadRunner.Result>> results, int calls, int rounds, int concurrency) {
        double[] percentiles = { 1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 97, 99, 99.5, 99.9, 99.95, 99.99 };
        List<LinePlot.Series> body = new ArrayList<>();
        List<LinePlot.Series> tail = new ArrayList<>();
        StringBuilder csv = new StringBuilder("client,percentile,latency_ms\n");
        for (Contender contender : List.of(Contender.BARE, Contender.BARE_WITH_TIMEOUT, Contender.STARTER, Contender.STARTER_ON_PARALLEL)) {
            List<LoadRunner.Result> runs = results.get(contender);
            if (runs == null) {
                continue;
            }
            long[] pooled = runs.stream().flatMapToLong((run) -> java.util.Arrays.stream(run.sortedLatencies())).sorted().toArray();
            LoadRunner.Result all = new LoadRunner.Result(pooled.length, pooled.length, 1, pooled, 0, 0);
            double[] ms = new double[percentiles.length];
            double[] nines = new double[percentiles.length];
            for (int i = 0; i < percentiles.length; i++) {
                ms[i] = all.percentileMillis(percentiles[i]);
                nines[i] = -Math.log10(1 - percentiles[i] / 100);
                csv.append(String.format(Locale.ROOT, "\"%s\",%s,%.4f%n", contender.label(), percentiles[i], ms[i]));
            }
            int bodyPoints = 13; // up to p97
            body.add(new LinePlot.Series(contender.label(), java.util.Arrays.copyOf(percentiles, bodyPoints),
                    java.util.Arrays.copyOf(ms, bodyPoints)));
            tail.add(new LinePlot.Series(contender.label(), nines, ms));
        }
        try {
            java.nio.file.Files.writeString(java.nio.file.Path.of("results", "happy-path-latency.csv"), csv);
            LinePlot.write(java.nio.file.Path.of("results", "happy-path-latency.png"),
                    String.format(Locale.ROOT, "Happy path latency over loopback, %,d calls per client (%d rounds of %,d, %d in flight)",
                            calls * rounds, rounds, calls, concurrency),
                    List.of(new LinePlot.Panel("p1 to p97", "percentile", "latency (ms)", body, false),
                            new LinePlot.Panel("The whole distribution (log scale)", "nines: 1 = p90, 2 = p99, 3 = p99.9, 4 = p99.99",
                                    "latency (ms)", tail, true)));
        }
        catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
