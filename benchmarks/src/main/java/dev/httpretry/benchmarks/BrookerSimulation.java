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
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

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

    /** One message arriving somewhere at a simulated time; {@code seq} breaks ties in the order of sending. */
    private record Event(long time, long seq, int client, int kind, long value) implements Comparable<Event> {

        @Override
        public int compareTo(Event other) {
            int byTime = Long.compare(this.time, other.time);
            return (byTime != 0) ? byTime : Long.compare(this.seq, other.seq);
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
        Objects.requireNonNull(jitter, "jitter");
        if (clients < 1) {
            throw new IllegalArgumentException("Invalid number of clients (" + clients + "): must be at least 1");
        }
        Backoff backoff = settings.backoff(jitter);
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom network = root.split();
        SplittableRandom jitterRandom = root.split();
        double meanNanos = settings.networkMeanMillis() * 1e6;
        double sdNanos = settings.networkSdMillis() * 1e6;

        int[] retries = new int[clients];
        Duration[] previousDelay = new Duration[clients];
        PriorityQueue<Event> queue = new PriorityQueue<>();
        long[] seq = {0};
        long version = 0;
        long calls = 0;
        long completion = 0;
        int succeeded = 0;
        for (int client = 0; client < clients; client++) {
            previousDelay[client] = settings.initialDelay();
            queue.add(new Event(delay(network, meanNanos, sdNanos), seq[0]++, client, SERVER_READ, 0));
        }
        while (!queue.isEmpty()) {
            Event event = queue.poll();
            long now = event.time();
            int client = event.client();
            switch (event.kind()) {
                case SERVER_READ ->
                    queue.add(new Event(now + delay(network, meanNanos, sdNanos), seq[0]++, client, CLIENT_READ_RESPONSE, version));
                case CLIENT_READ_RESPONSE ->
                    queue.add(new Event(now + delay(network, meanNanos, sdNanos), seq[0]++, client, SERVER_WRITE, event.value()));
                case SERVER_WRITE -> {
                    calls++;
                    boolean success = event.value() == version;
                    if (success) {
                        version++;
                    }
                    queue.add(new Event(now + delay(network, meanNanos, sdNanos), seq[0]++, client, CLIENT_WRITE_RESPONSE,
                            success ? 1 : 0));
                }
                case CLIENT_WRITE_RESPONSE -> {
                    if (event.value() == 1) {
                        succeeded++;
                        completion = now;
                    }
                    else {
                        int retry = ++retries[client];
                        Duration wait = backoff.delay(retry, previousDelay[client], jitterRandom.nextDouble());
                        previousDelay[client] = wait;
                        queue.add(new Event(now + wait.toNanos() + delay(network, meanNanos, sdNanos), seq[0]++, client,
                                SERVER_READ, 0));
                    }
                }
                default -> throw new IllegalStateException("Unknown event " + event);
            }
        }
        if (succeeded != clients) {
            throw new IllegalStateException(succeeded + " of " + clients + " clients succeeded");
        }
        return new Trial(calls, completion);
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

    /** Network delay in nanoseconds: normal, truncated at 0. */
    private static long delay(SplittableRandom random, double meanNanos, double sdNanos) {
        return Math.round(Math.max(0.0, meanNanos + sdNanos * random.nextGaussian()));
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
        String csv = csv(results);
        String markdown = markdown(results, description);
        System.out.println(markdown);
        System.out.printf(Locale.ROOT, "(simulated in %.1f s of wall time)%n", seconds);

        Files.createDirectories(out);
        Files.writeString(out.resolve("brooker-simulation.csv"), csv);
        Files.writeString(out.resolve("brooker-simulation.md"), markdown);
        Path png = out.resolve("brooker-simulation.png");
        writePlot(results, description, png);
        System.out.println("wrote " + out.resolve("brooker-simulation.csv") + ", " + out.resolve("brooker-simulation.md")
                + " and " + png);
    }

    static String csv(Map<Jitter, List<Point>> results) {
        StringBuilder csv = new StringBuilder("algorithm,clients,trials,mean_calls,calls_per_client,min_calls,max_calls,mean_completion_ms\n");
        results.forEach((jitter, points) -> points.forEach((p) -> csv.append(String.format(Locale.ROOT,
                "%s,%d,%d,%.2f,%.3f,%d,%d,%.2f%n", jitter.configName(), p.clients(), p.trials(), p.meanCalls(),
                p.callsPerClient(), p.minCalls(), p.maxCalls(), p.meanCompletionMillis()))));
        return csv.toString();
    }

    static String markdown(Map<Jitter, List<Point>> results, String description) {
        StringBuilder md = new StringBuilder();
        md.append("Brooker's OCC simulation, jitter from dev.httpretry.core.Backoff: ").append(description).append("\n\n");
        md.append("Total calls (writes received by the server, all attempts of all clients), mean per trial:\n\n");
        table(md, results, Point::meanCalls, "%.1f");
        md.append("\nCompletion time (simulated ms until the last client succeeded), mean per trial:\n\n");
        table(md, results, Point::meanCompletionMillis, "%.0f");
        return md.toString();
    }

    private static void table(StringBuilder md, Map<Jitter, List<Point>> results,
            java.util.function.ToDoubleFunction<Point> value, String format) {
        md.append("| clients |");
        results.keySet().forEach((jitter) -> md.append(' ').append(jitter.configName()).append(" |"));
        md.append('\n').append("| ---: |");
        results.keySet().forEach((jitter) -> md.append(" ---: |"));
        md.append('\n');
        List<Point> first = results.values().iterator().next();
        for (int i = 0; i < first.size(); i++) {
            md.append("| ").append(first.get(i).clients()).append(" |");
            for (List<Point> points : results.values()) {
                md.append(' ').append(String.format(Locale.ROOT, format, value.applyAsDouble(points.get(i)))).append(" |");
            }
            md.append('\n');
        }
    }

    private static void writePlot(Map<Jitter, List<Point>> results, String description, Path png) throws IOException {
        List<LinePlot.Series> calls = new ArrayList<>();
        List<LinePlot.Series> times = new ArrayList<>();
        results.forEach((jitter, points) -> {
            double[] x = points.stream().mapToDouble(Point::clients).toArray();
            calls.add(new LinePlot.Series(jitter.configName(), x, points.stream().mapToDouble(Point::meanCalls).toArray()));
            times.add(new LinePlot.Series(jitter.configName(), x,
                    points.stream().mapToDouble(Point::meanCompletionMillis).toArray()));
        });
        LinePlot.write(png, "Brooker's OCC simulation with dev.httpretry.core.Backoff (" + description + ")",
                List.of(new LinePlot.Panel("Work: total calls", "clients", "calls (mean per trial)", calls, false),
                        new LinePlot.Panel("Completion time (log scale)", "clients",
                                "simulated ms until the last client succeeded", times, true)));
    }
}
