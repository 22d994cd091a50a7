package dev.httpretry.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import dev.httpretry.autoconfigure.HttpRetryProperties;
import dev.httpretry.core.Jitter;
import dev.httpretry.core.MonotonicClock;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Brooker's comparison for real, over loopback: a server that serves {@code capacity} requests at
 * once (each held {@code hold-ms}) and answers 503 to the rest, and {@code clients} callers that
 * start together, each making one GET through a WebClient with the starter's retry filter (base
 * 5 ms, multiplier 2, cap 2 s, {@code max-attempts} 50, deadline 60 s, no budget). For each jitter:
 * the server's total requests, requests per client, and the wall time until every caller has its
 * answer; the median over {@code reps} repetitions, the jitters interleaved within each repetition.
 * Each run has a fresh client whose pool already holds one open connection per caller, so the
 * callers' first requests leave together instead of being spread out by connection set-up.
 *
 * <p>Arguments (all optional): {@code --clients 200 --capacity 10 --hold-ms 10 --reps 5 --warm-ups 10
 * --jitters none,full,equal,decorrelated --out results}.
 */
public final class ContentionOverLoopback {

    private ContentionOverLoopback() {
    }

    /**
     * The benchmark's parameters.
     * @param clients callers that start together
     * @param capacity requests the server serves at once
     * @param hold how long the server holds each request it serves
     * @param maxAttempts the policy's {@code max-attempts}
     */
    record Setup(int clients, int capacity, Duration hold, int maxAttempts) {
    }

    /**
     * One run of one jitter.
     * @param jitter the jitter
     * @param requests requests the server received
     * @param clientAttempts attempts the retry filter reported
     * @param millis wall time from the start until every caller had its answer
     * @param releaseMillis how long releasing every caller from the gate took on one thread (each
     *     release runs the filter and hands the first attempt to the connector), the spread of the start
     * @param succeeded callers that got a 200
     * @param clients callers
     */
    record Run(Jitter jitter, long requests, long clientAttempts, double millis, double releaseMillis, long succeeded,
            int clients) {

        double requestsPerClient() {
            return (double) this.requests / this.clients;
        }
    }

    /**
     * The {@code http.retry.*} properties of the benchmark: base 5 ms, multiplier 2, cap 2 s, the given
     * jitter and max-attempts, deadline 60 s, budget off.
     */
    static HttpRetryProperties properties(Jitter jitter, int maxAttempts) {
        HttpRetryProperties properties = new HttpRetryProperties();
        properties.setMaxAttempts(maxAttempts);
        properties.getBackoff().setInitialDelay(Duration.ofMillis(5));
        properties.getBackoff().setMultiplier(2.0);
        properties.getBackoff().setMaxDelay(Duration.ofSeconds(2));
        properties.getBackoff().setJitter(jitter);
        properties.setDeadline(Duration.ofSeconds(60));
        properties.getBudget().setEnabled(false);
        return properties;
    }

    /**
     * Runs every caller once against the server, all released together.
     * @param server the server, whose counters are reset first
     * @param jitter the jitter
     * @param setup the parameters
     * @return what the run took
     */
    static Run run(LoopbackServer server, Jitter jitter, Setup setup) {
        server.reset();
        try (RetryingClient client = new RetryingClient(server.url(), properties(jitter, setup.maxAttempts()),
                MonotonicClock.INSTANCE, setup.clients() + 16)) {
            client.openConnections(setup.clients());
            long attemptsBefore = client.snapshot().attempts();
            Sinks.Empty<Void> gate = Sinks.empty();
            // flatMap with concurrency = clients subscribes every caller at once; each waits at the gate
            var done = Flux.range(0, setup.clients())
                .flatMap((i) -> gate.asMono().then(client.get()), setup.clients())
                .filter(Boolean::booleanValue)
                .count()
                .toFuture();
            long start = System.nanoTime();
            gate.tryEmitEmpty();
            long released = System.nanoTime();
            long succeeded = done.get(3, TimeUnit.MINUTES);
            double millis = (System.nanoTime() - start) / 1e6;
            return new Run(jitter, server.requests(), client.snapshot().attempts() - attemptsBefore, millis,
                    (released - start) / 1e6, succeeded, setup.clients());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex) {
            throw new IllegalStateException("The run of " + jitter + " did not complete", ex);
        }
    }

    /**
     * Runs the benchmark and prints the tables.
     * @param args the options listed in the class comment
     * @throws IOException if the CSV cannot be written
     */
    public static void main(String[] args) throws IOException {
        Options options = Options.parse(args);
        Setup setup = new Setup(options.integer("clients", 200), options.integer("capacity", 10),
                Duration.ofMillis(options.integer("hold-ms", 10)), options.integer("max-attempts", 50));
        int reps = options.integer("reps", 5);
        int warmUps = options.integer("warm-ups", 10);
        List<Jitter> jitters = Arrays.stream(options.string("jitters", "none,full,equal,decorrelated").split(","))
            .map((name) -> Jitter.valueOf(name.trim().toUpperCase(Locale.ROOT)))
            .toList();
        Path out = Path.of(options.string("out", "results"));

        System.out.printf(Locale.ROOT, "Contention over loopback: %d clients start together, server capacity %d in flight, "
                + "each held %d ms, 503 beyond; base 5ms, multiplier 2.0, cap 2s, max-attempts %d, deadline 60s, "
                + "budget off; %d repetitions%n", setup.clients(), setup.capacity(), setup.hold().toMillis(),
                setup.maxAttempts(), reps);
        List<Run> runs = new ArrayList<>();
        try (LoopbackServer server = LoopbackServer.withCapacity(setup.capacity(), setup.hold())) {
            for (int i = 1; i <= warmUps; i++) {
                Run warmUp = run(server, Jitter.FULL, setup);
                System.out.printf(Locale.ROOT, "warm-up %d (full, not counted): %d requests, %.0f ms, released in %.1f ms%n",
                        i, warmUp.requests(), warmUp.millis(), warmUp.releaseMillis());
            }
            for (int rep = 1; rep <= reps; rep++) {
                for (Jitter jitter : jitters) {
                    Run run = run(server, jitter, setup);
                    runs.add(run);
                    System.out.printf(Locale.ROOT, "rep %d %-12s requests %6d (filter attempts %6d)  %6.2f per client  "
                            + "%8.0f ms  %d/%d succeeded  (released in %.1f ms)%n", rep, jitter.configName(), run.requests(),
                            run.clientAttempts(), run.requestsPerClient(), run.millis(), run.succeeded(), run.clients(),
                            run.releaseMillis());
                }
            }
        }

        StringBuilder md = new StringBuilder();
        md.append("| jitter | total requests (median) | requests per client (median) | completion ms (median) "
                + "| completion ms (min–max) | requests (min–max) | release ms (median) | all succeeded |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        StringBuilder csv = new StringBuilder(
                "jitter,requests,filter_attempts,requests_per_client,completion_ms,release_ms,succeeded,clients\n");
        for (Jitter jitter : jitters) {
            List<Run> mine = runs.stream().filter((r) -> r.jitter() == jitter).toList();
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.2f | %.0f | %.0f–%.0f | %d–%d | %.1f | %s |%n",
                    jitter.configName(), median(mine, (r) -> r.requests()), median(mine, Run::requestsPerClient),
                    median(mine, Run::millis), mine.stream().mapToDouble(Run::millis).min().orElse(0),
                    mine.stream().mapToDouble(Run::millis).max().orElse(0),
                    mine.stream().mapToLong(Run::requests).min().orElse(0),
                    mine.stream().mapToLong(Run::requests).max().orElse(0), median(mine, Run::releaseMillis),
                    mine.stream().allMatch((r) -> r.succeeded() == r.clients()) ? "yes" : "NO"));
            mine.forEach((r) -> csv.append(String.format(Locale.ROOT, "%s,%d,%d,%.3f,%.1f,%.1f,%d,%d%n",
                    jitter.configName(), r.requests(), r.clientAttempts(), r.requestsPerClient(), r.millis(),
                    r.releaseMillis(), r.succeeded(), r.clients())));
        }
        System.out.println();
        System.out.print(md);
        Files.createDirectories(out);
        Files.writeString(out.resolve("contention-over-loopback.csv"), csv);
        System.out.println("wrote " + out.resolve("contention-over-loopback.csv"));
    }

    static double median(List<Run> runs, ToDoubleFunction<Run> value) {
        double[] sorted = runs.stream().mapToDouble(value).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int mid = sorted.length / 2;
        return (sorted.length % 2 == 1) ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
