package dev.httpretry.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.httpretry.core.Backoff;
import dev.httpretry.core.Durations;
import dev.httpretry.core.Jitter;

/**
 * Marc Brooker's simulation from "Exponential Backoff and Jitter" (AWS Architecture Blog, 2015),
 * as a discrete-event simulation on a simulated clock, with the delays computed by retry-core's own
 * {@link Backoff#delay(int, Duration, double)}.
 *
 * <p>The model is the blog's simulator's: one row on a remote server under optimistic concurrency
 * control, and N clients that each must write it once. A client reads the row's version, then
 * writes with that version; the write succeeds only if the version is still the same, that is if
 * no other write landed on the server between this client's read and its write. A failed client
 * backs off, then starts again with a fresh read. Every message crosses the network with a delay
 * drawn from a normal distribution (mean 10 ms, standard deviation 2 ms, truncated at 0). The
 * blog's "calls" are the writes the server receives (one per attempt); completion time is the
 * simulated time at which the last client learns that its write succeeded.
 *
 * <p>Deterministic: trial {@code t} of a point uses {@code new SplittableRandom(seed + t)}, the
 * same for every algorithm, split into one stream for network delays and one for jitter. Nothing
 * sleeps and nothing runs on another thread.
 */
public final class BrookerSimulation {

    /** The seed of trial 0; trial t uses {@code DEFAULT_SEED + t}. */
    public static final long DEFAULT_SEED = 20150304L;

    /** The algorithms compared, in the order they are reported. */
    public static final List<Jitter> ALGORITHMS = List.of(Jitter.NONE, Jitter.FULL, Jitter.EQUAL, Jitter.DECORRELATED);

    private static final int SERVER_READ = 0;

    private static final int CLIENT_READ_RESPONSE = 1;

    private static final int SERVER_WRITE = 2;

    private static final int CLIENT_WRITE_RESPONSE = 3;

    private BrookerSimulation() {
    }

    /**
     * The simulation's parameters.
     * @param networkMeanMillis mean one-way network delay
     * @param networkSdMillis its standard deviation
     * @param initialDelay the backoff's base delay (the first retry's capped delay)
     * @param multiplier growth per retry
     * @param maxDelay the backoff's cap
     */
    public record Settings(double networkMeanMillis, double networkSdMillis, Duration initialDelay, double multiplier,
            Duration maxDelay) {

        /** The blog's: network N(10 ms, 2 ms), base 5 ms, multiplier 2, cap 2 s. */
        public static final Settings BLOG = new Settings(10, 2, Duration.ofMillis(5), 2.0, Duration.ofSeconds(2));

        /**
         * The backoff with these settings and the given jitter.
         * @param jitter the jitter
         * @return retry-core's backoff
         */
        public Backoff backoff(Jitter jitter) {
            return new Backoff(this.initialDelay, this.multiplier, this.maxDelay, jitter);
        }
    }

    /**
     * One trial's outcome.
     * @param calls writes the server received (all attempts of all clients)
     * @param completionNanos simulated time at which the last client succeeded
     */
    public record Trial(long calls, long completionNanos) {
    }

    /**
     * The mean over the trials of one algorithm at one number of clients.
     * @param jitter the algorithm
     * @param clients number of clients
     * @param trials number of trials
     * @param meanCalls mean total calls per trial
     * @param meanCompletionMillis mean completion time, in simulated milliseconds
     * @param minCalls fewest calls in a trial
     * @param maxCalls most calls in a trial
     */
    public record Point(Jitter jitter, int clients, int trials, double meanCalls, double meanCompletionMillis,
            long minCalls, long maxCalls) {

        /**
         * Calls per client.
         * @return mean calls divided by clients
         */
        public double callsPerClient() {
            return this.meanCalls / this.clients;
        }
    }

    /**
     * Runs one trial.
     * @param jitter the algorithm
     * @param clients number of clients, all starting at time 0
     * @param seed the trial's seed
     * @param settings the parameters
     * @return calls and completion time
     */
    public static Trial trial(Jitter jitter, int clients, long seed, Settings settings) {
        return OccTrial.run(jitter, clients, seed, settings);
    }

    /**
     * Runs {@code trials} trials of one algorithm at one number of clients, trial t with seed {@code seed + t}.
     * @param jitter the algorithm
     * @param clients number of clients
     * @param trials number of trials
     * @param seed the seed of trial 0
     * @param settings the parameters
     * @return the means
     */
    public static Point point(Jitter jitter, int clients, int trials, long seed, Settings settings) {
        long totalCalls = 0;
        long totalCompletion = 0;
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int t = 0; t < trials; t++) {
            Trial trial = trial(jitter, clients, seed + t, settings);
            totalCalls += trial.calls();
            totalCompletion += trial.completionNanos();
            min = Math.min(min, trial.calls());
            max = Math.max(max, trial.calls());
        }
        return new Point(jitter, clients, trials, (double) totalCalls / trials, totalCompletion / 1e6 / trials, min, max);
    }

    /**
     * Runs every algorithm at every number of clients.
     * @param clientCounts the numbers of clients
     * @param trials trials per point
     * @param seed the seed of trial 0
     * @param settings the parameters
     * @return the points, by algorithm, in the order of {@code clientCounts}
     */
    public static Map<Jitter, List<Point>> run(List<Integer> clientCounts, int trials, long seed, Settings settings) {
        Map<Jitter, List<Point>> results = new EnumMap<>(Jitter.class);
        for (Jitter jitter : ALGORITHMS) {
            List<Point> points = new ArrayList<>();
            for (int clients : clientCounts) {
                points.add(point(jitter, clients, trials, seed, settings));
            }
            results.put(jitter, points);
        }
        return results;
    }

    /**
     * Runs the experiment and writes {@code brooker-simulation.csv}, {@code .md} and {@code .png}.
     * Arguments: {@code --trials 100 --max-clients 100 --step 10 --seed 20150304 --base-ms 5 --out results}.
     * @param args the options above, all optional
     * @throws IOException if a result file cannot be written
     */
    public static void main(String[] args) throws IOException {
        Options options = Options.parse(args);
        int trials = options.integer("trials", 100);
        int step = options.integer("step", 10);
        int maxClients = options.integer("max-clients", 100);
        long seed = options.longValue("seed", DEFAULT_SEED);
        Path out = Path.of(options.string("out", "results"));
        Settings blog = Settings.BLOG;
        Settings settings = new Settings(blog.networkMeanMillis(), blog.networkSdMillis(),
                Duration.ofMillis(options.integer("base-ms", (int) blog.initialDelay().toMillis())), blog.multiplier(),
                blog.maxDelay());
        List<Integer> clientCounts = new ArrayList<>();
        for (int n = step; n <= maxClients; n += step) {
            clientCounts.add(n);
        }

        long start = System.nanoTime();
        Map<Jitter, List<Point>> results = run(clientCounts, trials, seed, settings);
        double seconds = (System.nanoTime() - start) / 1e9;

        String description = String.format(Locale.ROOT,
                "network N(%.0f ms, %.0f ms) one way, base %s, multiplier %.1f, cap %s, %d trials per point, seeds %d..%d",
                settings.networkMeanMillis(), settings.networkSdMillis(), Durations.format(settings.initialDelay()),
                settings.multiplier(), Durations.format(settings.maxDelay()), trials, seed, seed + trials - 1);
        String csv = BrookerResults.csv(results);
        String markdown = BrookerResults.markdown(results, description);
        System.out.println(markdown);
        System.out.printf(Locale.ROOT, "(simulated in %.1f s of wall time)%n", seconds);

        Files.createDirectories(out);
        Files.writeString(out.resolve("brooker-simulation.csv"), csv);
        Files.writeString(out.resolve("brooker-simulation.md"), markdown);
        Path png = out.resolve("brooker-simulation.png");
        BrookerResults.writePlot(results, description, png);
        System.out.println("wrote " + out.resolve("brooker-simulation.csv") + ", " + out.resolve("brooker-simulation.md")
                + " and " + png);
    }
}
