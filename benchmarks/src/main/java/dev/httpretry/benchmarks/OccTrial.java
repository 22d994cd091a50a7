package dev.httpretry.benchmarks;

import java.time.Duration;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

import dev.httpretry.benchmarks.BrookerSimulation.Settings;
import dev.httpretry.benchmarks.BrookerSimulation.Trial;
import dev.httpretry.core.Backoff;
import dev.httpretry.core.Jitter;

/**
 * One trial of the optimistic-concurrency model that {@link BrookerSimulation} describes, message by
 * message on a simulated clock; on its own so that the model reads apart from the runs and their output.
 */
final class OccTrial {

    private static final int SERVER_READ = 0;

    private static final int CLIENT_READ_RESPONSE = 1;

    private static final int SERVER_WRITE = 2;

    private static final int CLIENT_WRITE_RESPONSE = 3;

    private OccTrial() {
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
    static Trial run(Jitter jitter, int clients, long seed, Settings settings) {
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

    /** Network delay in nanoseconds: normal, truncated at 0. */
    private static long delay(SplittableRandom random, double meanNanos, double sdNanos) {
        return Math.round(Math.max(0.0, meanNanos + sdNanos * random.nextGaussian()));
    }
}
