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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.httpretry.autoconfigure.HttpRetryProperties;
import dev.httpretry.core.Jitter;
import dev.httpretry.core.LearnedDestination;
import dev.httpretry.core.MonotonicClock;
import dev.httpretry.core.RetryClients;
import dev.httpretry.core.StopReason;
import dev.httpretry.micrometer.RetryMetrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Section 3b's contention with {@code adaptive.enabled}: a loopback server serves {@code capacity}
 * requests at once (each held {@code hold-ms}) and answers 503 beyond; {@code clients} callers start
 * together, each making one GET through the retry filter with 3b's settings (full jitter, base 5 ms,
 * multiplier 2, cap 2 s, max-attempts 50, deadline 60 s, budget off). Three contenders, interleaved in
 * every repetition: full jitter without adaptive (a fresh client per run, as in 3b); the same with
 * adaptive on and a fresh client per run (it learns the destination's rate within the run only); and
 * with adaptive on and one client reused for every run, warm-ups included (it starts each run with the
 * rate the previous runs taught it). Medians over {@code reps} repetitions after {@code warm-ups}.
 *
 * <pre>mvn -B -q -pl benchmarks -am verify -DskipTests -Dbench=AdaptiveContention [-Dbench.args="--reps 9 --warm-ups 5"]</pre>
 *
 * <p>Arguments (all optional): {@code --clients 200 --capacity 10 --hold-ms 10 --reps 9 --warm-ups 5 --out results}.
 */
public final class AdaptiveContention {

    static final String FULL = "full jitter";

    static final String FRESH = "full jitter + adaptive, fresh client per run";

    static final String REUSED = "full jitter + adaptive, one client reused across runs";

    private AdaptiveContention() {
    }

    /**
     * One run of one contender.
     * @param contender which
     * @param requests requests the server received
     * @param millis wall time until every caller had its answer
     * @param succeeded callers that got a 200
     * @param throttled calls that ended throttled
     * @param turnsWaited attempts that waited for their turn
     * @param turnWaitMillis the longest such wait
     * @param rate the destination's learned rate at the end of the run (requests per second), or {@code NaN}
     * @param clients callers
     * @param rates the learned rate every 5 ms of the run: milliseconds since the start, requests per second
     */
    record Run(String contender, long requests, double millis, long succeeded, long throttled, long turnsWaited,
            double turnWaitMillis, double rate, int clients, List<double[]> rates) {

        double requestsPerCaller() {
            return (double) this.requests / this.clients;
        }
    }

    /** 3b's properties, with adaptive on or off. */
    static HttpRetryProperties properties(boolean adaptive, int maxAttempts) {
        HttpRetryProperties properties = ContentionOverLoopback.properties(Jitter.FULL, maxAttempts);
        properties.getAdaptive().setEnabled(adaptive);
        return properties;
    }

    /** A client of 3b's kind whose meters are kept in {@code registry}. */
    static RetryingClient client(LoopbackServer server, boolean adaptive, int clients, SimpleMeterRegistry registry) {
        return new RetryingClient(server.url(), properties(adaptive, 50), MonotonicClock.INSTANCE, clients + 16, registry);
    }

    /** Releases every caller at once through {@code client} and waits until each has its answer. */
    static Run run(LoopbackServer server, String contender, RetryingClient client, SimpleMeterRegistry registry, int clients) {
        client.openConnections(clients);
        server.reset();
        long throttledBefore = client.snapshot().calls().getOrDefault(StopReason.THROTTLED, 0L);
        long waitsBefore = turnWaits(registry);
        double maxBefore = maxTurnWaitMillis(registry);
        Sinks.Empty<Void> gate = Sinks.empty();
        var done = Flux.range(0, clients)
            .flatMap((i) -> gate.asMono().then(client.get()), clients)
            .filter(Boolean::booleanValue)
            .count()
            .toFuture();
        long start = System.nanoTime();
        List<double[]> rates = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread sampler = new Thread(() -> {
            while (!done.isDone()) {
                rates.add(new double[] { (System.nanoTime() - start) / 1e6, rate(client) });
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
            }
        }, "rate-sampler");
        sampler.setDaemon(true);
        sampler.start();
        gate.tryEmitEmpty();
        long succeeded;
        try {
            succeeded = done.get(3, TimeUnit.MINUTES);
            sampler.join();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        catch (ExecutionException | TimeoutException ex) {
            throw new IllegalStateException("The run of " + contender + " did not complete", ex);
        }
        double millis = (System.nanoTime() - start) / 1e6;
        long throttled = client.snapshot().calls().getOrDefault(StopReason.THROTTLED, 0L) - throttledBefore;
        return new Run(contender, server.requests(), millis, succeeded, throttled, turnWaits(registry) - waitsBefore,
                Math.max(maxBefore, maxTurnWaitMillis(registry)), rate(client), clients, List.copyOf(rates));
    }

    /** The learned rate of the client's one destination, or {@code NaN} when it learns none or has not been cut. */
    static double rate(RetryingClient client) {
        List<LearnedDestination> learned = client.clients.get(RetryClients.DEFAULT_CLIENT).learned().snapshot(10);
        if (learned.isEmpty() || learned.get(0).rate() == null) {
            return Double.NaN;
        }
        return learned.get(0).rate();
    }

    static long turnWaits(SimpleMeterRegistry registry) {
        return registry.find(RetryMetrics.THROTTLE_WAIT).timers().stream().mapToLong(Timer::count).sum();
    }

    static double maxTurnWaitMillis(SimpleMeterRegistry registry) {
        return registry.find(RetryMetrics.THROTTLE_WAIT).timers().stream()
            .mapToDouble((timer) -> timer.max(TimeUnit.MILLISECONDS)).max().orElse(0);
    }

    /**
     * Runs the benchmark and prints the tables.
     * @param args the options listed in the class comment
     * @throws IOException if the CSV cannot be written
     */
    public static void main(String[] args) throws IOException {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
            .setLevel(ch.qos.logback.classic.Level.WARN);
        Options options = Options.parse(args);
        int clients = options.integer("clients", 200);
        int capacity = options.integer("capacity", 10);
        Duration hold = Duration.ofMillis(options.integer("hold-ms", 10));
        int reps = options.integer("reps", 9);
        int warmUps = options.integer("warm-ups", 5);
        Path out = Path.of(options.string("out", "results"));
        System.out.printf(Locale.ROOT, "Contention over loopback with adaptive.enabled: %d callers start together, server capacity "
                + "%d in flight, each held %d ms, 503 beyond; full jitter, base 5ms, multiplier 2.0, cap 2s, max-attempts 50, "
                + "deadline 60s, budget off; %d warm-ups, %d repetitions, contenders interleaved%n", clients, capacity,
                hold.toMillis(), warmUps, reps);
        List<Run> runs = new ArrayList<>();
        List<Run> reusedWarmUps = new ArrayList<>();
        SimpleMeterRegistry reusedRegistry = new SimpleMeterRegistry();
        try (LoopbackServer server = LoopbackServer.withCapacity(capacity, hold);
                RetryingClient reused = client(server, true, clients, reusedRegistry)) {
            for (int rep = 1 - warmUps; rep <= reps; rep++) {
                for (String contender : List.of(FULL, FRESH, REUSED)) {
                    Run run;
                    if (contender.equals(REUSED)) {
                        run = run(server, contender, reused, reusedRegistry, clients);
                    }
                    else {
                        SimpleMeterRegistry registry = new SimpleMeterRegistry();
                        try (RetryingClient fresh = client(server, contender.equals(FRESH), clients, registry)) {
                            run = run(server, contender, fresh, registry, clients);
                        }
                    }
                    if (rep > 0) {
                        runs.add(run);
                    }
                    else if (contender.equals(REUSED)) {
                        reusedWarmUps.add(run);
                    }
                    System.out.printf(Locale.ROOT, "%s %d %-55s requests %5d  %5.2f per caller  %6.0f ms  %d/%d succeeded  "
                            + "%d throttled  %5d turns waited (longest %.0f ms)  rate %.0f/s%n", rep > 0 ? "rep" : "warm-up",
                            rep > 0 ? rep : rep + warmUps, contender, run.requests(), run.requestsPerCaller(), run.millis(),
                            run.succeeded(), run.clients(), run.throttled(), run.turnsWaited(), run.turnWaitMillis(), run.rate());
                }
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("| contender | requests (median) | requests per caller (median) | requests per caller (min–max) "
                + "| completion ms (median) | completion ms (min–max) | all succeeded | throttled |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |\n");
        StringBuilder csv = new StringBuilder("contender,rep,requests,requests_per_caller,completion_ms,succeeded,throttled,"
                + "turns_waited,longest_turn_wait_ms,rate_at_end,clients\n");
        Map<String, List<Run>> byContender = new LinkedHashMap<>();
        runs.forEach((r) -> byContender.computeIfAbsent(r.contender(), (k) -> new ArrayList<>()).add(r));
        byContender.forEach((contender, mine) -> {
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.2f | %.2f–%.2f | %.0f | %.0f–%.0f | %s | %.0f |%n", contender,
                    Stats.median(mine, Run::requests), Stats.median(mine, Run::requestsPerCaller),
                    Stats.min(mine, Run::requestsPerCaller), Stats.max(mine, Run::requestsPerCaller),
                    Stats.median(mine, Run::millis), Stats.min(mine, Run::millis), Stats.max(mine, Run::millis),
                    mine.stream().allMatch((r) -> r.succeeded() == r.clients()) ? "yes" : "NO",
                    mine.stream().mapToDouble(Run::throttled).sum()));
            for (int i = 0; i < mine.size(); i++) {
                Run r = mine.get(i);
                csv.append(String.format(Locale.ROOT, "\"%s\",%d,%d,%.3f,%.1f,%d,%d,%d,%.1f,%.1f,%d%n", contender, i + 1,
                        r.requests(), r.requestsPerCaller(), r.millis(), r.succeeded(), r.throttled(), r.turnsWaited(),
                        r.turnWaitMillis(), r.rate(), r.clients()));
            }
        });
        for (int i = 0; i < reusedWarmUps.size(); i++) {
            Run r = reusedWarmUps.get(i);
            csv.append(String.format(Locale.ROOT, "\"%s (warm-up)\",%d,%d,%.3f,%.1f,%d,%d,%d,%.1f,%.1f,%d%n", REUSED, i + 1 - warmUps,
                    r.requests(), r.requestsPerCaller(), r.millis(), r.succeeded(), r.throttled(), r.turnsWaited(),
                    r.turnWaitMillis(), r.rate(), r.clients()));
        }
        System.out.println();
        System.out.print(md);
        Files.createDirectories(out);
        Files.writeString(out.resolve("adaptive-contention.csv"), csv);
        System.out.println("wrote " + out.resolve("adaptive-contention.csv"));
        // the learned rate during each adaptive run: every 5 ms, from the release of the callers
        StringBuilder rateCsv = new StringBuilder("contender,rep,ms,rate\n");
        List<LinePlot.Series> series = new ArrayList<>();
        byContender.forEach((contender, mine) -> {
            if (contender.equals(FULL)) {
                return;
            }
            for (int i = 0; i < mine.size(); i++) {
                for (double[] sample : mine.get(i).rates()) {
                    rateCsv.append(String.format(Locale.ROOT, "\"%s\",%d,%.1f,%.1f%n", contender, i + 1, sample[0], sample[1]));
                }
            }
            // the plot shows the run whose completion was the median one
            List<Run> sorted = mine.stream().sorted(java.util.Comparator.comparingDouble(Run::millis)).toList();
            Run median = sorted.get(sorted.size() / 2);
            List<double[]> known = median.rates().stream().filter((sample) -> !Double.isNaN(sample[1])).toList();
            series.add(new LinePlot.Series(contender.replace("full jitter + adaptive, ", "adaptive, ") + String.format(Locale.ROOT,
                    " (run of %.0f ms)", median.millis()), known.stream().mapToDouble((sample) -> sample[0]).toArray(),
                    known.stream().mapToDouble((sample) -> sample[1]).toArray()));
        });
        double longest = runs.stream().mapToDouble(Run::millis).max().orElse(1000);
        double perSecond = capacity * 1000.0 / hold.toMillis();
        series.add(new LinePlot.Series(String.format(Locale.ROOT, "server capacity (%d at once, %d ms each)", capacity,
                hold.toMillis()), new double[] { 0, longest }, new double[] { perSecond, perSecond }));
        Files.writeString(out.resolve("adaptive-contention-rate.csv"), rateCsv);
        LinePlot.write(out.resolve("adaptive-contention-rate.png"), String.format(Locale.ROOT,
                "%d callers released together at a server that takes %d at once (%.0f requests/s)", clients, capacity, perSecond),
                List.of(new LinePlot.Panel("The learned send rate during one run (the median run)", "ms since the callers were released",
                        "requests per second", series, false)));
        System.out.println("wrote " + out.resolve("adaptive-contention-rate.csv") + " and adaptive-contention-rate.png");
    }
}
